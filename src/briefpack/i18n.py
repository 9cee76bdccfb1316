"""Languages and the translation function every visible string goes through.

Only English ships today. Catalogs for other languages would be gettext ``.mo`` files in
``src/briefpack/locale/<lang>/LC_MESSAGES/briefpack.mo``; a language without a catalog
falls back to English interface strings (module text is chosen per language anyway).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path

Translator = Callable[[str], str]

LOCALE_DIR = Path(__file__).parent / "locale"

# Text direction per language, for the html dir attribute.
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


def get_translations(lang: str) -> gettext.NullTranslations:
    """Return the message catalog for ``lang`` (English strings when none exists)."""
    return gettext.translation(
        "briefpack", localedir=LOCALE_DIR, languages=[lang], fallback=True
    )


def text_direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"
