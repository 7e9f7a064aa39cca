"""The two encodings of one document."""

from __future__ import annotations

from cityloop.open311.rendering import json_document, xml_document


def test_xml_names_list_items_in_the_singular_and_writes_none_as_empty():
    document = {"a": None, "flag": True, "n": 1.5, "formats": ["text/xml", "application/json"]}

    xml = xml_document("discovery", document)

    assert xml == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<discovery><a /><flag>true</flag><n>1.5</n>"
        "<formats><format>text/xml</format><format>application/json</format></formats>"
        "</discovery>"
    )


def test_a_top_level_list_is_wrapped_in_its_root_in_xml_and_bare_in_json():
    items = [{"code": 400, "description": "缺少 description / description is required"}]

    assert xml_document("errors", items) == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<errors><error><code>400</code>"
        "<description>缺少 description / description is required</description></error></errors>"
    )
    assert json_document(items) == (
        '[{"code":400,"description":"缺少 description / description is required"}]'
    )


def test_xml_escapes_markup_and_drops_forbidden_characters():
    xml = xml_document("service_requests", [{"description": "<b>井盖</b> & \x0b缺失"}])

    assert "<description>&lt;b&gt;井盖&lt;/b&gt; &amp; 缺失</description>" in xml
