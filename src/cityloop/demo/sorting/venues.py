"""Venue categories and venues of the demo (docs/devices.md; docs/indicators.md, venue coverage).

The 14 categories are the demo's PLACEHOLDER list: the bureau supervises 14 categories of venue
but no public text names them (reference/waste-iot.md §3.3: NOT FOUND); a deployment loads
the bureau's own list in the admin. The demo's venues are the district's schools and markets
(the social entities the district already has) and invented venues of the other categories.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import shapely

from cityloop.demo import names
from cityloop.geo.models import Boundary
from cityloop.org.choices import EntityKind, UnitKind
from cityloop.org.models import Unit
from cityloop.sorting.models import Venue, VenueCategory

# code, name, English name, venues in the demo, share sorting in place
CATEGORIES = [
    ("V01", "党政机关", "Party and government offices", 24, 0.98),
    ("V02", "事业单位", "Public institutions", 30, 0.95),
    ("V03", "学校", "Schools", 0, 0.93),  # the district's schools
    ("V04", "医疗机构", "Hospitals and clinics", 18, 0.9),
    ("V05", "商场超市", "Shopping centres and supermarkets", 30, 0.85),
    ("V06", "农贸市场", "Farmers' markets", 0, 0.8),  # the district's markets
    ("V07", "酒店宾馆", "Hotels", 26, 0.82),
    ("V08", "餐饮单位", "Restaurants and canteens", 40, 0.75),
    ("V09", "商务写字楼", "Office buildings", 34, 0.85),
    ("V10", "工业园区", "Industrial parks", 10, 0.8),
    ("V11", "交通场站", "Transport hubs", 8, 0.9),
    ("V12", "文体场馆", "Cultural and sports venues", 12, 0.9),
    ("V13", "公园景区", "Parks and scenic spots", 14, 0.88),
    ("V14", "宗教活动场所", "Religious venues", 4, 0.75),
]
NAME_WORDS = {
    "V01": ["街道办事处", "区政务服务中心", "区委党校", "区档案馆"],
    "V02": ["社区党群服务中心", "社区健康服务中心", "区图书馆分馆", "区婚姻登记处"],
    "V04": ["医院", "社区健康服务中心", "口腔门诊部", "中医诊所"],
    "V05": ["购物广场", "百货", "超市", "商业中心"],
    "V07": ["酒店", "大酒店", "宾馆", "公寓酒店"],
    "V08": ["酒家", "食堂", "快餐店", "茶餐厅"],
    "V09": ["大厦", "中心", "商务大厦", "金融大厦"],
    "V10": ["工业区", "产业园", "文化创意园"],
    "V11": ["公交总站", "长途汽车站", "地铁车辆段"],
    "V12": ["体育中心", "文化馆", "游泳馆", "剧院"],
    "V13": ["公园", "社区公园", "郊野公园"],
    "V14": ["寺", "教堂"],
}


def build_venues(*, seed: int, until: date, bad: set[int]) -> dict[str, int]:
    """The 14 categories and their venues; venues in ``bad`` communities sort less often."""
    rng = random.Random(seed * 104_729 + 14)
    categories = VenueCategory.objects.bulk_create(
        [
            VenueCategory(code=code, name=name, name_en=english, order=n)
            for n, (code, name, english, _, _) in enumerate(CATEGORIES, start=1)
        ]
    )
    by_code = {c.code: c for c in categories}
    share = {code: s for code, _, _, _, s in CATEGORIES}
    communities = list(Unit.objects.filter(kind=UnitKind.COMMUNITY).order_by("code"))
    shapes = {
        b.unit_id: b.shape
        for b in Boundary.objects.filter(unit__kind=UnitKind.COMMUNITY).only("unit", "geometry")
    }
    rows = []
    for entity in Unit.objects.filter(
        entity_kind__in=[EntityKind.SCHOOL, EntityKind.MARKET]
    ).order_by("code", "id"):
        code = "V03" if entity.entity_kind == EntityKind.SCHOOL else "V06"
        rows.append((code, entity.name, entity.parent, entity))
    for code, _, _, count, _ in CATEGORIES:
        for _ in range(count):
            community = rng.choice(communities)
            word = rng.choice(NAME_WORDS[code])
            place = (community.short_name or community.name).removesuffix("社区")
            label = (
                f"{place}{word}" if code in ("V01", "V02") else f"{rng.choice(names.WORDS)}{word}"
            )
            rows.append((code, label, community, None))
    venues = []
    for n, (code, label, community, entity) in enumerate(rows, start=1):
        inner = shapes[community.pk].representative_point() if community.pk in shapes else None
        lon, lat = _near(inner, rng) if inner is not None else (None, None)
        odds = share[code] - (0.25 if _position(communities, community) in bad else 0.0)
        venues.append(
            Venue(
                code=f"VN{n:04d}",
                name=label[:120],
                category=by_code[code],
                community=community,
                entity=entity,
                lon=lon,
                lat=lat,
                sorting_in_place=rng.random() < odds,
                inspected_on=until - timedelta(days=rng.randrange(1, 120)),
            )
        )
    Venue.objects.bulk_create(venues, batch_size=500)
    return {"venue_categories": len(categories), "venues": len(venues)}


def _near(point: shapely.Point, rng: random.Random) -> tuple[float, float]:
    return round(point.x + rng.uniform(-0.002, 0.002), 6), round(
        point.y + rng.uniform(-0.002, 0.002), 6
    )


def _position(communities: list[Unit], community: Unit) -> int:
    return next(i for i, c in enumerate(communities) if c.pk == community.pk)
