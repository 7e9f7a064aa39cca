"""GeoReport v2 errors: a list of ``{code, description}``, with the HTTP status it requires.

404 for a missing resource (jurisdiction, service code, request, token), 403 for a missing or
invalid ``api_key``, 400 for anything else; several errors may be returned at once. Every
description says the problem in Chinese and English (docs/decisions/0011).
"""

from __future__ import annotations

from typing import Any

from cityloop.core.i18n import bilingual


class Open311Error(Exception):
    """Answer ``status`` with one error per message; nothing was changed."""

    def __init__(self, status: int, *messages: Any) -> None:
        super().__init__("; ".join(str(m) for m in messages))
        self.status = status
        self.messages = messages

    def items(self) -> list[dict]:
        return [{"code": self.status, "description": bilingual(m)} for m in self.messages]


class BadRequest(Open311Error):
    def __init__(self, *messages: Any) -> None:
        super().__init__(400, *messages)


class Forbidden(Open311Error):
    def __init__(self, *messages: Any) -> None:
        super().__init__(403, *messages)


class NotFound(Open311Error):
    def __init__(self, *messages: Any) -> None:
        super().__init__(404, *messages)
