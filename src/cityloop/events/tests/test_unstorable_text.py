"""A lone surrogate (JSON ``"\\ud800"``) is valid JSON text that no database can store as UTF-8.

Every door that takes text refuses it on its field, in Chinese and English (decision 0011),
and changes nothing: the JSON API (pydantic's ``string_unicode``), the intake service for any
other caller, and the 12345 import command, which reads JSON files itself.
"""

import json
import re

import pytest
from django.core.management import CommandError, call_command

from cityloop.core.api_errors import _pydantic_item
from cityloop.events.models import Case
from cityloop.events.services.intake import case_report
from cityloop.events.services.refusals import BadInput
from cityloop.events.tests.conftest import SHOP_POINT

pytestmark = pytest.mark.django_db

LONE = "\\ud800"  # as it is written inside a JSON string
ZH = "文本含有无法保存的字符（单独的 UTF-16 代理项），请删除后重试。"
EN = "The text holds a character that cannot be stored (a lone UTF-16 surrogate); remove it."
LATIN = re.compile(r"[A-Za-z]{3,}")


def _post(client, url, raw: str, **headers):
    return client.post(url, raw, content_type="application/json", **headers)


def test_the_public_api_refuses_it_on_its_field_in_both_languages(tiny, client):
    raw = f'{{"description": "井盖{LONE}缺失", "lon": {SHOP_POINT[0]}, "lat": {SHOP_POINT[1]}}}'
    response = _post(client, "/api/public/reports", raw)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "description", "code": "string_unicode", "zh": ZH, "en": EN}
    ]
    assert not Case.objects.exists()


def test_the_staff_api_refuses_it_on_its_field(loop, login):
    raw = f'{{"source": "inspector", "description": "x", "address": "东门{LONE}路"}}'
    response = _post(login(loop.inspector), "/api/cases/", raw)
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert (item["field"], item["zh"], item["en"]) == ("address", ZH, EN)
    assert not Case.objects.exists()


def test_the_intake_service_refuses_it_for_any_caller(tiny):
    with pytest.raises(BadInput) as refused:
        case_report(source="inspector", description="井盖\ud800缺失", address="东门路")
    assert (refused.value.field, refused.value.code) == ("description", "string_unicode")
    assert refused.value.as_item()["zh"] == ZH
    with pytest.raises(BadInput) as refused:
        case_report(source="citizen", description="x", address="y", reporter_name="张\udfff")
    assert refused.value.field == "reporter_name"
    assert not Case.objects.exists()


def test_the_import_command_names_the_order_and_field_and_imports_nothing(loop, tmp_path):
    order = {"order_no": "SZ-1", "content": f"噪音{LONE}", "address": "东门路", "urgent": "0"}
    path = tmp_path / "orders.json"
    path.write_text(json.dumps([order], ensure_ascii=False).replace("\\\\", "\\"), "utf-8")
    assert "\\ud800" in path.read_text("utf-8")

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hotline", str(path))

    assert not Case.objects.exists()


def test_the_import_command_prints_the_problem_in_both_languages(loop, tmp_path, capsys):
    order = {"order_no": "SZ-1", "content": "噪音", "address": "东门路", "caller_name": "张三"}
    text = json.dumps([order], ensure_ascii=False).replace("张三", f"张{LONE}")
    path = tmp_path / "orders.json"
    path.write_text(text, "utf-8")

    with pytest.raises(CommandError):
        call_command("import_hotline", str(path))

    err = capsys.readouterr().err
    assert "caller_name" in err and ZH in err and EN in err


def test_an_unlisted_pydantic_error_is_still_chinese_in_zh():
    item = _pydantic_item({"type": "url_parsing", "loc": ("body", "site"), "msg": "Bad URL"})
    assert item["field"] == "site" and item["code"] == "url_parsing"
    assert not LATIN.search(item["zh"]), item
    assert item["en"] == "Bad URL"
