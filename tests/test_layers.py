"""The layer rule and the one permission gate, checked on the source itself."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# app -> the apps it must never import
FORBIDDEN = {
    "accounts": {"labeling", "annotate"},
    "energy": {"labeling", "annotate"},
    "labeling": {"annotate"},
    "config": {"annotate"},
}
ROLE_NAMES = re.compile(r"""["'](annotator|supervisor|client)["']""")
# Where a role's name may be spelled out: the matrix itself, and migrations (frozen history).
ROLE_NAMES_ALLOWED = {Path("accounts/roles.py")}


def _sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model" and node.args:
            # apps.get_model("labeling", ...) is an import by another name.
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_nothing_of_the_layers_above_it(app):
    wrong = [
        f"{path.relative_to(ROOT)} imports {sorted(_imported_apps(path) & FORBIDDEN[app])}"
        for path in _sources(app)
        if _imported_apps(path) & FORBIDDEN[app]
    ]
    assert not wrong, "\n".join(wrong)


def test_no_role_name_is_spelled_out_outside_the_matrix():
    """Rules compare capabilities (accounts/roles.py), never role names."""
    wrong = []
    for app in ("accounts", "labeling", "energy", "annotate", "config"):
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix not in {".py", ".html", ".js"} or "migrations" in path.parts:
                continue
            if path.relative_to(ROOT) in ROLE_NAMES_ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                # A role name compared or stored as a string, not a field called "annotator".
                if ROLE_NAMES.search(line) and re.search(r"""(==|!=|\bin\b|role\W)\s*\(?["']""", line):
                    wrong.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not wrong, "\n".join(wrong)
