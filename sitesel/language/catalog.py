"""The message catalogs: ``locale/<lang>.po``, read once with Babel."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from importlib import resources
from io import BytesIO
from typing import Literal

Language = Literal["en", "hi"]
LANGUAGES: tuple[Language, ...] = ("en", "hi")
"""The languages sitesel speaks; English is the message ids themselves."""


@functools.cache
def _catalog(lang: str) -> dict[str, str]:
    """Msgid -> msgstr of a language (empty for English, the ids themselves)."""
    if lang == "en":
        return {}
    from babel.messages.pofile import read_po

    data = resources.files("sitesel.language").joinpath("locale", f"{lang}.po").read_bytes()
    catalog = read_po(BytesIO(data), locale=lang)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


def translator(lang: str) -> Callable[..., str]:
    """``t(msgid, **fields)``: the message in ``lang`` with ``{field}`` filled.

    >>> t = translator("en")
    >>> t("Top {n} sites", n=10)
    'Top 10 sites'
    """
    table = _catalog(lang)

    def t(msgid: str, **fields: object) -> str:
        text = table.get(msgid, msgid)
        return text.format(**fields) if fields else text

    return t


def messages(lang: str, msgids: Iterable[str] | None = None) -> dict[str, str]:
    """The translations a page needs (all of the language's when ``msgids`` is None)."""
    table = _catalog(lang)
    if msgids is None:
        return dict(table)
    return {m: table[m] for m in msgids if m in table}


def catalog_ids(lang: str) -> set[str]:
    """Every message id the language's catalog translates."""
    return set(_catalog(lang))
