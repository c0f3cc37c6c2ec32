"""The English catalogue (README "Conventions": msgids in Chinese, locale/en carries English).

The .po file is read with a small parser here (no polib dependency for tests).
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfr%]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: flags, msgctxt, msgid, msgid_plural, msgstr (a dict index -> text;
    index 0 for a singular entry). Obsolete (#~) entries are returned with obsolete=True."""
    entries, entry, field = [], None, None

    def start():
        return {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}}

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            if entry is not None and entry["msgid"] is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = start()
        entry["obsolete"] = entry.get("obsolete", False) or obsolete
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field, entry["msgctxt"] = "msgctxt", _unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field, entry["msgid_plural"] = "msgid_plural", _unquote(line[13:])
        elif line.startswith("msgid "):
            field, entry["msgid"] = "msgid", _unquote(line[6:])
        elif line.startswith("msgstr["):
            index, text = re.match(r"msgstr\[(\d+)\]\s+(.*)", line).groups()
            field = ("msgstr", int(index))
            entry["msgstr"][int(index)] = _unquote(text)
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            entry["msgstr"][0] = _unquote(line[7:])
        elif line.startswith('"'):
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field] += _unquote(line)
    return entries


@pytest.fixture(scope="module")
def po_entries():
    entries = parse_po(LOCALE / "django.po")
    header = [e for e in entries if e["msgid"] == ""]
    assert len(header) == 1, "the .po file has one header"
    assert "fuzzy" not in header[0]["flags"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header[0]["msgstr"][0]
    return [e for e in entries if e["msgid"] != ""]


def test_the_catalogue_is_complete(po_entries):
    assert len(po_entries) > 500  # the whole UI, not a stub
    assert not [e["msgid"] for e in po_entries if e["obsolete"]], "obsolete entries left over"
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:5]}"
    untranslated = []
    for e in po_entries:
        wanted = [0, 1] if e["msgid_plural"] is not None else [0]
        if sorted(e["msgstr"]) != wanted or not all(e["msgstr"][i].strip() for i in wanted):
            untranslated.append(e["msgid"])
    assert not untranslated, f"untranslated: {untranslated[:5]}"


def test_translations_keep_their_placeholders_and_are_english(po_entries):
    for e in po_entries:
        sources = [e["msgid"], e["msgid_plural"]] if e["msgid_plural"] is not None else [e["msgid"]]
        for index, source in enumerate(sources):
            text = e["msgstr"][index]
            if "python-format" in e["flags"]:
                assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(text)), (
                    e["msgid"],
                    text,
                )
            # Chinese survives only where it quotes input the user types (e.g. 是/否, 春节).
            if CJK.search(text):
                assert CJK.search(source) and any(
                    quoted in text for quoted in ("是/否", "国办发明电", "春节", "2024年3月1日")
                ), (e["msgid"], text)


def test_the_compiled_catalogue_matches_the_po_file(po_entries):
    with (LOCALE / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    for e in po_entries:
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            assert catalog.get(key) == e["msgstr"][0], f"{e['msgid']!r}: run compilemessages"
        else:
            for index in (0, 1):
                assert catalog.get((key, index)) == e["msgstr"][index], e["msgid"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "employers:list"])
def test_english_when_the_cookie_says_so_chinese_otherwise(client, inspector, url_name):
    client.force_login(inspector)
    body = client.get(reverse(url_name)).content.decode()
    assert "用人单位" in body
    assert ">Employers<" not in body

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse(url_name)).content.decode()
    assert '<html lang="en">' in body
    assert "Employers" in body
    assert "Log out" in body
    assert "用人单位" not in body
    assert "退出登录" not in body


@pytest.mark.django_db
def test_the_footer_switch_sets_the_language_cookie(client, inspector):
    client.force_login(inspector)
    footer = client.get(reverse("home")).content.decode().split("<footer", 1)[1]
    # Each language is offered under its own name, so a reader of either can find it.
    assert ">English</button>" in footer and ">简体中文</button>" in footer
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Grade overview" in client.get(reverse("home")).content.decode()
