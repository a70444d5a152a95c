"""Management commands meant for people speak the active language (PLATEAU_LANGUAGE for manage.py)."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_seed_demo_reports_in_chinese():
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("seed_demo", images=0, password="a-long-demo-password", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "演示账户：" in text and "正在为" in text
    assert "annotator1" in text  # names stay as they are
