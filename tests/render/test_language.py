"""Issue 36: the meeting map in Hindi, from one message catalog, with its font embedded.

The catalog test walks every message the page's script and the map's Python can show and
finds each in ``hi.po``; the browser test renders a real run in Hindi, reads the page as
a person would (its visible text) and as a printer would (headless Chromium's PDF), and
finds no sitesel English message left, and the Devanagari font in the PDF.
"""

from __future__ import annotations

import ast
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_javascript

from sitesel.language import grouped, messages, translator
from sitesel.language.catalog import catalog_ids
from sitesel.render.meeting_map.payload import EXTRA_FIELDS
from sitesel.render.palette import ZONE_STYLES

from ..cases import sitesel
from ..conftest import ROOT
from .test_map_browser import Page

JS = ROOT / "sitesel" / "render" / "static" / "js"
MUTANT = re.compile(r"__mutmut_\d+$")
PY_CALL = re.compile(r"""\bt\('([^']+)'\)""")


def _original_source(path: Path) -> str:
    """The module's text without the mutant copies mutmut writes beside each function
    (``x_name__mutmut_3``; ``__mutmut_orig`` is the original, kept): their strings are
    altered on purpose and are not messages."""
    text = path.read_text(encoding="utf-8")
    if "__mutmut_" not in text:
        return text

    def keep(body: list[ast.stmt]) -> list[ast.stmt]:
        kept = [n for n in body if not MUTANT.search(getattr(n, "name", ""))]
        for node in kept:
            if isinstance(node, ast.ClassDef):
                node.body = keep(node.body)
        return kept

    tree = ast.parse(text)
    tree.body = keep(tree.body)
    return ast.unparse(tree)


def _python_calls(f):
    import warnings

    from babel.messages.extract import extract_python

    with warnings.catch_warnings():  # f-strings Babel cannot read: PY_CALL reads them
        warnings.simplefilter("ignore")
        return [m for m in extract_python(f, ["t"], [], {}) if m[2]]


def page_messages() -> set[str]:
    """Every message id the map can show: the script's t("..."), the Python's t("...")."""
    ids: set[str] = set()
    for path in JS.glob("*.js"):
        with path.open("rb") as f:
            for _, _, text, _ in extract_javascript(f, ["t"], [], {}):
                ids.add(text if isinstance(text, str) else text[0])
    for path in (ROOT / "sitesel" / "render").rglob("*.py"):
        source = _original_source(path)  # t("...") calls, strings joined as Python joins them
        f = io.BytesIO(source.encode("utf-8"))
        ids |= {m if isinstance(m, str) else m[0] for *_, m, _ in _python_calls(f)}
        ids |= set(PY_CALL.findall(source))  # t('...') in f-strings
    ids |= {label for _, label in EXTRA_FIELDS}
    ids |= {style["title"] for style in ZONE_STYLES.values()}
    return ids


def data_strings(page: Path) -> set[str]:
    """Every text of the run the page carries (reasons, names, labels), not its messages."""
    html = page.read_text(encoding="utf-8")
    payload = json.loads(re.search(r'id="sitesel-data">(.*?)</script>', html, re.S)[1])
    payload.pop("messages", None)
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str) and len(node) > 2:
            found.update(part for part in node.split("; ") if len(part) > 2)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(payload)
    return found


def test_every_message_the_map_shows_is_in_the_hindi_catalog():
    wanted = page_messages()
    assert len(wanted) > 60  # the walk found the page's messages
    missing = sorted(wanted - catalog_ids("hi"))
    assert missing == [], missing
    t = translator("hi")
    assert t("Top {n} sites", n=10) == "शीर्ष 10 स्थल"
    assert translator("en")("Top {n} sites", n=10) == "Top 10 sites"
    assert all("{" not in v or "}" in v for v in messages("hi").values())
    for msgid, text in messages("hi").items():  # the fields survive translation
        assert sorted(re.findall(r"\{\w+\}", msgid)) == sorted(re.findall(r"\{\w+\}", text))


def test_numbers_are_grouped_the_indian_way():
    assert grouped(123456789) == "12,34,56,789"
    assert grouped(100000) == "1,00,000" and grouped(99999) == "99,999"
    assert grouped(1234567.891, 2) == "12,34,567.89"


@pytest.fixture(scope="module")
def leh_hindi(leh_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("hindi") / "leh_hi.html"
    result = sitesel("map", leh_run / "run", "--map", out, "--lang", "hi")
    assert result.exit_code == 0, result.output
    return out


def test_the_hindi_map_shows_no_english_message_and_prints_its_devanagari(
    browser, leh_hindi, tmp_path
):
    from pypdf import PdfReader

    page = Page(browser, leh_hindi)
    page.page.evaluate("window.sitesel.focus(window.sitesel.topIds(1)[0])")  # a card open
    text = shown_text = page.page.evaluate("document.body.innerText")
    for value in sorted(data_strings(leh_hindi), key=len, reverse=True):
        text = text.replace(value, " ")  # the run's own words (reasons, names) are data
    for on_purpose in ("(score)", "(weights)", "(weight)", "(weighted sum)"):
        text = text.replace(on_purpose, " ")  # English terms beside the Hindi
    english = {m for m in page_messages() if messages("hi").get(m, m) != m}
    plain = {m for m in english if "{" not in m and len(m) > 3}
    shown = sorted(m for m in plain if re.search(rf"(?<![\w-]){re.escape(m)}(?![\w-])", text))
    assert shown == [], shown
    for hindi in ("शीर्ष 10 स्थल", "भार (weights)", "उपयुक्तता", "बाहर रखे गए"):
        assert hindi in shown_text, hindi
    assert page.page.evaluate("document.fonts.check('12px \"Noto Sans Devanagari\"', 'स्थल')")
    page.page.emulate_media(media="print")
    page.page.evaluate("window.sitesel.preparePrint('A3')")
    pdf = tmp_path / "leh_hi_A3.pdf"
    page.page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    fonts = {
        str(f.get_object()["/BaseFont"])
        for f in (reader.pages[0]["/Resources"].get("/Font") or {}).values()
    }
    assert any("NotoSansDevanagari" in f for f in fonts), fonts
    printed = reader.pages[0].extract_text()
    assert "स्थल" in printed and "sitesel: leh" in printed
    assert page.errors == []
    page.page.close()


def test_an_unknown_language_is_one_line(leh_run, tmp_path):
    result = sitesel("map", leh_run / "run", "--map", tmp_path / "x.html", "--lang", "fr")
    assert result.exit_code == 2
    assert result.stderr.strip() == "sitesel: error: --lang: expected one of en, hi, found 'fr'"
    assert not (tmp_path / "x.html").exists()


def test_the_english_map_carries_no_catalog_and_no_font(leh_run):
    page = (leh_run / "leh.html").read_text(encoding="utf-8")
    assert '"messages"' not in page and "Noto Sans Devanagari" not in page


def test_hindi_messages_name_their_fields_as_python_formats_them():
    t = translator("hi")
    for msgid in messages("hi"):
        fields = {f: "X" for f in re.findall(r"\{(\w+)\}", msgid)}
        assert "{" not in t(msgid, **fields) or not fields, msgid
    assert Path(JS / "format.js").read_text().count('toLocaleString("en"') == 0


def test_an_unknown_language_in_the_config_or_for_the_dossier_is_one_line(leh_run, tmp_path):
    import yaml

    config = yaml.safe_load((ROOT / "configs" / "leh.yaml").read_text(encoding="utf-8"))
    config["catalog"] = str(ROOT / "layers" / "leh.yaml")
    config["map"]["language"] = "fr"
    path = tmp_path / "fr.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = sitesel("validate", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"sitesel: error: {path}: map.language: expected one of 'en' or 'hi', found 'fr'"
    )
    out = tmp_path / "report"
    result = sitesel("report", leh_run / "run", "--lang", "xx", "--out", out)
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.strip() == "sitesel: error: --lang: expected one of en, hi, found 'xx'"
