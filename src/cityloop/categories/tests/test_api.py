"""The catalogue API: list with filters, the tree, a minor's filing conditions, 404, auth."""

from __future__ import annotations

import pytest

from cityloop.categories.tests.factories import MinorCategoryFactory

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_kind_major_and_text(reader, login):
    params = {"kind": "event", "major": "01", "q": "垃圾"}
    body = login(reader).get("/api/categories/", params).json()
    assert [(m["code_path"], m["name"]) for m in body] == [
        ("01-10", "暴露生活垃圾"),
        ("01-11", "积存垃圾渣土"),
        ("01-20", "焚烧垃圾、树叶"),
        ("01-31", "餐厨垃圾遗撒和污染"),
        ("01-32", "非正规垃圾填埋场"),
        ("01-70", "垃圾分类违规投放"),
        ("01-92", "垃圾满溢"),
        ("01-93", "垃圾未分类"),
    ]


def test_a_list_item_carries_both_code_systems(reader, login):
    body = login(reader).get("/api/categories/", {"kind": "component", "q": "01-01"}).json()
    assert body == [
        {
            "kind": "component",
            "major_code": "01",
            "major_name": "公用设施",
            "code": "01",
            "code_path": "01-01",
            "name": "上水井盖",
            "gbt47678_code": "01001",
            "gbt47678_name": "供水井盖",
            "name_comparison": "different_name",
            "is_local_extension": False,
            "handler_unit_kind": "department",
            "handler_department_function": "water",
            "is_active": True,
        }
    ]


def test_the_list_finds_by_2026_code_and_2026_name(reader, login):
    client = login(reader)
    by_code = client.get("/api/categories/", {"q": "06010"}).json()
    by_name = client.get("/api/categories/", {"q": "噪声扰民"}).json()
    assert [m["name"] for m in by_code] == ["暴露生活垃圾"]
    assert [m["name"] for m in by_name] == ["商业噪音"]


def test_the_list_of_local_extensions(reader, login):
    body = login(reader).get("/api/categories/", {"local_extension": True}).json()
    assert [(m["code_path"], m["name"]) for m in body] == [
        ("01-70", "垃圾分类违规投放"),
        ("01-71", "犬只扰民"),
        ("01-72", "流浪犬只"),
        ("01-73", "树木违规迁移"),
        ("01-74", "红火蚁、薇甘菊等有害生物"),
        ("02-70", "户外招牌未备案"),
    ]


def test_an_inactive_category_is_listed_only_on_request(reader, login):
    MinorCategoryFactory(code="61", name="停用类别", inactive=True)
    client = login(reader)
    default = client.get("/api/categories/", {"q": "停用类别"}).json()
    everything = client.get("/api/categories/", {"q": "停用类别", "include_inactive": True}).json()
    assert default == []
    assert [m["is_active"] for m in everything] == [False]


def test_the_whole_list_has_every_active_category(reader, login):
    body = login(reader).get("/api/categories/").json()
    assert len(body) == 196


def test_a_bad_major_filter_is_a_422(reader, login):
    response = login(reader).get("/api/categories/", {"major": "1"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "major"


def test_the_tree_gives_majors_with_their_minors(reader, login):
    body = login(reader).get("/api/categories/tree", {"kind": "component"}).json()
    assert [(m["code"], m["name"], len(m["minors"])) for m in body] == [
        ("01", "公用设施", 40),
        ("02", "道路交通设施", 20),
        ("03", "市容环境设施", 10),
        ("04", "园林绿化设施", 16),
        ("05", "其他部件", 6),
    ]
    assert body[0]["minors"][0] == {"code": "01", "name": "上水井盖", "is_local_extension": False}


def test_the_detail_gives_each_condition_with_its_duration_and_clock(reader, login):
    body = login(reader).get("/api/categories/event/01/22").json()
    assert body["name"] == "非法伐树"
    assert body["filing_conditions"] == [
        {
            "sequence": 1,
            "filing_condition": "未经审批砍伐或破坏树木",
            "closing_condition": "制止",
            "time_limit": "1紧急工作时制止",
            "time_limit_amount": 1,
            "time_limit_unit": "urgent_hour",
            "required_action": "制止",
            "duration_minutes": 60,
            "clock": "continuous",
        },
        {
            "sequence": 2,
            "filing_condition": "移植、修剪、砍伐致使树木受损",
            "closing_condition": "恢复、立案查处",
            "time_limit": "3天",
            "time_limit_amount": 3,
            "time_limit_unit": "working_day",
            "required_action": "",
            "duration_minutes": 1440,
            "clock": "working",
        },
    ]


def test_the_detail_follows_the_settings(reader, login, settings):
    settings.CITYLOOP_URGENT_HOUR_CLOCK = "working"
    settings.CITYLOOP_WORKING_DAY_HOURS = 7.5
    body = login(reader).get("/api/categories/event/01/22").json()
    assert [(c["duration_minutes"], c["clock"]) for c in body["filing_conditions"]] == [
        (60, "working"),
        (1350, "working"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/categories/event/01/09",
        "/api/categories/component/06/01",
        "/api/categories/thing/01/10",
        "/api/categories/event/1/10",
    ],
)
def test_an_absent_category_is_a_404(reader, login, path):
    response = login(reader).get(path)
    assert response.status_code == 404
    assert response.json()["detail"][0]["code"] == "not_found"


def test_the_catalogue_needs_a_login(client):
    assert client.get("/api/categories/").status_code == 401
    assert client.get("/api/categories/event/01/10").status_code == 401


def test_list_tree_and_detail_use_a_fixed_number_of_queries(
    reader, login, django_assert_num_queries
):
    client = login(reader)
    client.get("/api/categories/")  # warm the session
    # 1 session + 1 user + the list; 1 session + 1 user + majors + minors; … + minor + conditions
    with django_assert_num_queries(3):
        client.get("/api/categories/")
    with django_assert_num_queries(4):
        client.get("/api/categories/tree")
    with django_assert_num_queries(4):
        client.get("/api/categories/component/01/01")


def test_the_list_query_count_does_not_grow_with_rows(reader, login, django_assert_num_queries):
    MinorCategoryFactory.create_batch(20)
    client = login(reader)
    client.get("/api/categories/")
    with django_assert_num_queries(3):
        client.get("/api/categories/")
