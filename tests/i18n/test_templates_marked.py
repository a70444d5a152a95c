"""No template shows English that is not marked for translation.

Text between tags and the attributes people read (title, aria-label, placeholder,
alt, value of buttons) must come from {% translate %}/{% blocktranslate %} or a
variable; what is left after removing those must hold no English words (codes,
units and names listed below may stay).
"""

import re
from pathlib import Path

import pytest

from config.i18n import BASE_DIR, SOURCE_APPS

ALLOWED = {
    "Plateau", "Label", "COCO", "YOLO", "VOC", "JSON", "GPS", "PUE", "kWh", "MWh", "Wh", "gCO", "SHA-256", "SHA",
    "URL", "ID", "F1", "IoU", "px", "m", "s", "W", "N", "K", "H", "A", "C", "M", "F", "x", "y", "GET", "POST",
    "PATCH", "API", "Ctrl", "Shift", "Enter", "Esc", "Tab", "Del", "e", "AP", "mAP",
}
READABLE_ATTRS = ("title", "aria-label", "placeholder", "alt")


def _templates() -> list[Path]:
    found = []
    for app in SOURCE_APPS:
        found += [p for p in (BASE_DIR / app).rglob("templates/**/*.html")]
    return sorted(found)


def _unmarked(source: str) -> list[str]:
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{%\s*block body_class\s*%}.*?{%\s*endblock\s*%}", " ", text, flags=re.S)  # a CSS class
    text = re.sub(r"""https?://[^\s"'<]+""", " ", text)
    text = re.sub(r"{#.*?#}", " ", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    readable = []
    for tag in re.findall(r"<[^>]+>", text):
        for attr in READABLE_ATTRS:
            readable += re.findall(rf'\b{attr}="([^"]*)"', tag)
    text = re.sub(r"<[^>]+>", " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]", " ".join([text, *readable]))
    return [w for w in words if w not in ALLOWED and len(w) > 1]


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_template_has_no_unmarked_english(path):
    assert _unmarked(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(BASE_DIR)}: wrap this text in {{% translate %}} / {{% blocktranslate %}}"
    )


def test_the_check_finds_unmarked_text_and_passes_marked_text():
    assert _unmarked('<h1>{% translate "My projects" %}</h1>') == []
    assert _unmarked('<p title="{% translate "Zoom in" %}">{{ n }}</p>') == []
    assert _unmarked("<h1>My projects</h1>") == ["My", "projects"]
    assert _unmarked('<button title="Zoom in">+</button>') == ["Zoom", "in"]
