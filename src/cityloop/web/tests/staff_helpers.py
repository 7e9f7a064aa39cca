"""Helpers of the staff pages' tests: walking a case, photos, query counts.

The fixtures ``loop`` and ``monday_morning`` come from the web tests' conftest.py.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from cityloop.events.tests.conftest import PLAIN_POINT, SHOP_POINT, condition

__all__ = ["PLAIN_POINT", "SHOP_POINT"]

HX = {"HTTP_HX_REQUEST": "true"}


def photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def filed(loop, **kw):
    """A case reported by the inspector, accepted and filed (waiting for dispatch)."""
    case = loop.report(**kw)
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    case.refresh_from_db()
    return case


def dispatched(loop, **kw):
    """Filed and dispatched to the proposed unit (the shop, at SHOP_POINT)."""
    case = filed(loop, **kw)
    loop.act(loop.dispatcher, case, "dispatch")
    case.refresh_from_db()
    return case


def fed_back(loop, **kw):
    """Dispatched, signed for and fed back by a handler of the unit it went to."""
    from cityloop.org.models import User

    case = dispatched(loop, **kw)
    handler = User.objects.filter(unit=case.assignments.get().unit).first()
    loop.act(handler, case, "sign")
    loop.act(handler, case, "feed_back", comment="已清理")
    case.refresh_from_db()
    return case


def verified(loop, **kw):
    """Fed back, then checked on site by the inspector (waiting to be closed)."""
    case = fed_back(loop, **kw)
    loop.act(loop.inspector, case, "verify")
    case.refresh_from_db()
    return case


def closed(loop, **kw):
    """Checked on site and closed by the shift leader (结案)."""
    case = verified(loop, **kw)
    loop.act(loop.shift_leader, case, "close")
    case.refresh_from_db()
    return case


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)
