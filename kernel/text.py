"""Text people type that others will read: refuse characters that change how
it reads without being seen, and characters no text can be stored with.

Bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069
isolates) reorder what follows them: a title or a name holding them can show
one thing while saying another ("Trojan Source"). Titles and names refuse
them; longer texts (Markdown) are rendered safely by kernel.markdown.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from kernel.errors import InvalidInput

REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What no text of Commons can hold: the NUL character (PostgreSQL refuses it
# in text, SQLite would cut C strings there) and unpaired surrogates (a JSON
# escape like "\ud800" makes one, and it cannot be written as UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ReorderingCharacters(InvalidInput):
    code = "reordering_characters"


def is_storable(value: str) -> bool:
    """Whether ``value`` holds no character that no text of Commons can hold."""
    return UNSTORABLE.search(value) is None


def refuse_reordering(value: str, *, what: str) -> str:
    """``value`` unchanged, or a refusal naming the field (``what``)."""
    if REORDERING.search(value or ""):
        raise ReorderingCharacters(
            _("%(what)s contains invisible characters that reorder text; remove them.")
            % {"what": what}
        )
    return value
