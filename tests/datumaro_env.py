"""datumaro in a venv of its own (it pins pillow~=12; the site runs pillow 13).

The venv is made once from ``requirements-datumaro.txt`` and remade when
that file changes; a lock file keeps parallel test processes from building it
twice. Scripts run there as subprocesses and answer in JSON on stdout.
"""

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-datumaro"
REQUIREMENTS = ROOT / "requirements-datumaro.txt"
PYTHON = VENV / "bin" / "python"


def datumaro_python() -> Path:
    """The venv's interpreter, installing the venv first if it is missing or stale."""
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = VENV / ".installed"
    VENV.parent.mkdir(exist_ok=True)
    with open(ROOT / ".venv-datumaro.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == wanted:
            return PYTHON
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
                       check=True)
        stamp.write_text(wanted)
    return PYTHON


def run_datumaro(script: Path, *args: str) -> dict:
    """Run ``script`` with the venv's Python; return the JSON it prints last."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([str(datumaro_python()), str(script), *args], capture_output=True,
                            text=True, env=env, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"datumaro script failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
