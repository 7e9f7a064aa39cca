"""Text a database can store: UTF-8 (hence SQLite and PostgreSQL) has no encoding for a lone
UTF-16 surrogate (U+D800–U+DFFF), which JSON text may carry (``"\\ud800"``, RFC 8259 §8.2).

Such text is refused on its field with ``UNSTORABLE`` (decision 0011), never stored or
half-stored. Pydantic already refuses it in the JSON API (``string_unicode``); services check
the text that reaches them by other doors (a command reading a JSON file).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

UNSTORABLE = _(
    "The text holds a character that cannot be stored (a lone UTF-16 surrogate); remove it."
)


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable(text: str) -> str:
    """The text with each lone surrogate shown as U+FFFD, for a message that quotes it."""
    return text.encode("utf-8", "replace").decode("utf-8")
