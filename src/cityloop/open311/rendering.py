"""One document, two encodings: the XML that GeoReport v2 requires, and its JSON mapping.

A response is plain data (dicts, lists, strings, numbers, booleans, None) under a root name.
XML: ``<?xml version="1.0" encoding="utf-8"?>``, no namespace, a list's items each in the
singular element the specification names (``services`` → ``service``, ``service_requests`` →
``request`` …), None as an empty element, booleans as ``true``/``false``. JSON follows the
Spark convention as real clients expect it: lists are top-level arrays, list elements vanish
(``formats: ["text/xml"]``). Characters that XML 1.0 forbids are dropped from the XML.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # builds documents; never parses input
from typing import Any

from django.http import HttpResponse

XML = "xml"
JSON = "json"
MIME_TYPES = {XML: "text/xml", JSON: "application/json"}
CONTENT_TYPES = {fmt: f"{mime}; charset=utf-8" for fmt, mime in MIME_TYPES.items()}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "media_urls": "media_url",
}
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def respond(
    fmt: str, root: str, data: Any, *, status: int = 200, headers: dict | None = None
) -> HttpResponse:
    """The document ``data`` named ``root``, encoded as ``fmt``."""
    body = xml_document(root, data) if fmt == XML else json_document(data)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def json_document(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def xml_document(root: str, data: Any) -> str:
    element = ET.Element(root)
    _fill(element, root, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _fill(ET.SubElement(element, ITEM_TAGS[name]), ITEM_TAGS[name], item)
    elif value is not None:
        element.text = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))
