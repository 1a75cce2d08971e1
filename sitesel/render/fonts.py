"""Devanagari that renders offline and in print: Noto Sans Devanagari, subset and embedded.

The page carries the font itself (an ``@font-face`` with the font as a data address), cut
down with fontTools to the characters the page shows: every glyph those need, the
conjuncts and vowel signs Devanagari's shaping substitutes in (the layout tables are
kept), nothing else. Noto Sans Devanagari is under the SIL Open Font License 1.1
(``static/fonts/OFL.txt``), which allows embedding.
"""

from __future__ import annotations

import base64
import io
from importlib import resources

FAMILY = "Noto Sans Devanagari"
FACES = (("NotoSansDevanagari-Regular.ttf", 400), ("NotoSansDevanagari-Bold.ttf", 700))
RANGE = "U+0900-097F,U+1CD0-1CFF,U+200C-200D,U+20B9,U+25CC,U+A8E0-A8FF"
"""What the faces serve (Devanagari, its extensions, the joiners, the rupee sign, the dotted
circle): first in the page's font list, they leave Latin text to the page's own font."""


def needs_devanagari(text: str) -> bool:
    """Whether the text holds a Devanagari character (U+0900 to U+097F)."""
    return any("\u0900" <= ch <= "\u097f" for ch in text)


def subset_font(font_file: str, text: str) -> bytes:
    """The font cut down to the glyphs ``text`` needs, its shaping tables kept, as WOFF.

    WOFF (zlib) is a third of the TrueType's size here and needs nothing beyond fontTools.
    """
    from fontTools import subset

    data = resources.files("sitesel.render").joinpath("static", "fonts", font_file).read_bytes()
    options = subset.Options()
    options.layout_features = ["*"]  # conjuncts, matras, nukta: Devanagari's shaping
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.flavor = "woff"
    font = subset.load_font(io.BytesIO(data), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + "0123456789.,:;%()-–· ")
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


def font_face_css(text: str) -> str:
    """``@font-face`` rules embedding the Devanagari faces subset to ``text``.

    The faces come first in every element's font list, limited to Devanagari by their
    ``unicode-range``: Latin text keeps the page's font.
    """
    faces = "".join(
        f"@font-face{{font-family:'{FAMILY}';font-weight:{weight};unicode-range:{RANGE};"
        f"src:url(data:font/woff;base64,{base64.b64encode(subset_font(name, text)).decode()})"
        " format('woff');}"
        for name, weight in FACES
    )
    family = f"'{FAMILY}','Helvetica Neue',Arial,sans-serif"
    return (
        faces + f"body,body *{{font-family:{family}!important;}}"
        f".sitesel-yaml{{font-family:monospace,'{FAMILY}'!important;}}"
    )
