"""Messages in both languages: Chinese first, English second.

Messages are written as English msgids with Chinese translations in each app's ``locale/``.
Errors that a person reads outside a rendered page (API responses, command output) carry both
renderings so that neither reader has to switch languages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import lazy


def _interpolate(template: Any, params: dict) -> str:
    return str(template) % params


_lazy_interpolate = lazy(_interpolate, str)


def lazy_format(template: Any, params: dict) -> Any:
    """``template % params`` rendered when shown, in the language active then.

    ``gettext_lazy("…%(x)s") % {...}`` would freeze the text in the language of the moment.
    """
    return _lazy_interpolate(template, params)


def in_language(message: Any, language: str) -> str:
    with translation.override(language):
        return str(message)


def both(message: Any) -> dict[str, str]:
    """``{"zh": …, "en": …}`` for a (lazy) translatable message."""
    return {"zh": in_language(message, "zh-hans"), "en": in_language(message, "en")}


def bilingual(message: Any) -> str:
    """One line, Chinese then English: ``区划代码必须是6位数字 / A district code has …``."""
    pair = both(message)
    return pair["zh"] if pair["zh"] == pair["en"] else f"{pair['zh']} / {pair['en']}"


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Field-level errors of a ValidationError as ``[{field, code, zh, en}]``."""
    items: list[dict[str, str]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            items.extend(_error_item(field, e) for e in errors)
    else:
        items.extend(_error_item("__all__", e) for e in exc.error_list)
    return items


def _error_item(field: str, error: ValidationError) -> dict[str, str]:
    return {"field": field, "code": error.code or "invalid", **both(_Lazy(error))}


class _Lazy:
    """Renders a ValidationError's message with its params in the active language."""

    def __init__(self, error: ValidationError) -> None:
        self.error = error

    def __str__(self) -> str:
        message = str(self.error.message)
        return message % self.error.params if self.error.params else message
