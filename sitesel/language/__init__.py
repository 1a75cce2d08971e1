"""The languages of what sitesel shows: English and Hindi, from one message catalog.

Every user-facing string of the meeting map (the page's script and the Python that packs
it) and of the dossier is an English message id; :func:`translator` gives the language's
text from ``locale/<lang>.po`` (gettext's format, read with Babel), falling back to the
English. A third language is a ``.po`` file, not a code change. Numbers are grouped the
Indian way (lakh, crore) in both languages: :func:`grouped`.
"""

from sitesel.language.catalog import LANGUAGES, Language, messages, translator
from sitesel.language.numbers import grouped

__all__ = ["LANGUAGES", "Language", "grouped", "messages", "translator"]
