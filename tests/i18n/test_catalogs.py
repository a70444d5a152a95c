"""The translation catalogs: complete, compiled, and found by the extractor."""

import gettext

from config import i18n


def test_every_marked_string_is_in_the_chinese_catalogs_and_translated():
    found = i18n.problems()
    assert not found, (
        "Run `python -m config.i18n extract`, then translate in locale/zh_Hans/LC_MESSAGES/*.po:\n"
        + "\n".join(found)
    )


def test_the_extractor_reads_templates_python_and_javascript():
    django_ids = {m.id for m in i18n.extracted("django") if m.id}
    js_ids = {m.id for m in i18n.extracted("djangojs") if m.id}
    assert "Sign out" in django_ids  # {% translate %} in base.html
    assert "Language" in django_ids
    assert "Not found" in django_ids  # gettext in Python
    assert "All changes saved" in js_ids  # gettext() in the tool's ES modules
    assert ("%(today)s submitted today · %(total)s in all",) * 2 in js_ids  # ngettext


def test_a_missing_or_fuzzy_entry_is_reported(tmp_path, monkeypatch):
    from babel.messages.pofile import write_po

    locale_dir = tmp_path / "locale"
    for domain in ("django", "djangojs"):
        catalog = i18n.read("zh_Hans", domain)
        entry = next(m for m in catalog if m.id)
        entry.flags.add("fuzzy")
        target = locale_dir / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        if domain == "django":
            catalog.delete("Sign out")
        with target.open("wb") as handle:
            write_po(handle, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    found = i18n.problems()
    assert any("missing 'Sign out'" in line for line in found)
    assert sum(" fuzzy " in line for line in found) == 2


def test_compiled_catalogs_hold_every_translation_of_the_po():
    i18n.compile_all()
    for domain in ("django", "djangojs"):
        catalog = i18n.read("zh_Hans", domain)
        with i18n.po_path("zh_Hans", domain).with_suffix(".mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple):
                assert compiled.npgettext(message.context, *message.id, 1) if message.context else compiled.ngettext(
                    *message.id, 1
                ) == message.string[0]
            elif message.context:
                assert compiled.pgettext(message.context, message.id) == message.string
            else:
                assert compiled.gettext(message.id) == message.string
