"""The parties of the demo year (当事人): pools the cases draw from, so that a party meets the
teams more than once and 首违 (第三十三条) and repeat offences come from the history.

People have valid ID numbers (GB 11643, ``org.codes.make_id_number``); the shops, property
managers and sanitation contractors are the demo district's own entities with their credit
codes; the bike operators and the companies are invented, with valid credit codes
(``make_credit_code``). A drawn party is a ``Party`` not yet saved: the writer saves the ones
the year used.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from cityloop.demo import names
from cityloop.demo.builder import _org_code_check
from cityloop.demo.enforcement import mix
from cityloop.demo.history import texts
from cityloop.enforcement.choices import PartyKind
from cityloop.enforcement.models import Party
from cityloop.org.choices import EntityKind
from cityloop.org.codes import make_credit_code, make_id_number
from cityloop.org.models import Unit

# Where the people were registered: Luohu and Shenzhen first, then the provinces most of the
# district's hawkers and shopkeepers come from.
DIVISIONS = (
    ("440303", 30), ("440304", 8), ("440305", 6), ("440307", 6), ("441581", 8), ("445202", 6),
    ("440582", 6), ("441402", 5), ("431021", 5), ("430524", 4), ("452402", 4), ("360730", 4),
    ("510722", 4), ("411522", 4),
)  # fmt: skip
OPERATORS = (
    "深圳市骑畅出行科技有限公司",
    "深圳市青禾单车服务有限公司",
    "深圳市速行共享科技有限公司",
)
COMPANY_KINDS = (
    "建筑工程有限公司",
    "装饰工程有限公司",
    "物流有限公司",
    "园林绿化有限公司",
    "商贸有限公司",
)


class Parties:
    """The pools of one year: drawn from with a skew, so that some parties come back."""

    def __init__(self, seed: int, streets: list[Unit], person_cases: dict[int, int]) -> None:
        self.rng = random.Random(seed * 104729 + 7)
        self.codes: set[str] = set(Party.objects.values_list("identity", flat=True))
        sizes = {
            s.pk: max(5, round(person_cases.get(s.pk, 0) * mix.PERSONS_PER_CASE)) for s in streets
        }
        self.persons = {s.pk: [self._person(s) for _ in range(sizes[s.pk])] for s in streets}
        self.entities = self._entities()
        self.operators = [self._organisation(name) for name in OPERATORS]
        self.companies = {
            s.pk: [self._organisation(self._company_name(s)) for _ in range(25)] for s in streets
        }
        self.fresh = 0

    def draw(self, kind: str, street: Unit, rng: random.Random) -> Party:
        """A party of ``kind`` (``mix.Offence.party``) for a case in ``street``."""
        if kind == "person":
            pool = self.persons[street.pk]
        elif kind == "operator":
            pool = self.operators
        elif kind in ("shop", "manager", "collector"):
            pool = self.entities[kind].get(street.pk) or self.entities[kind].get(None) or []
            pool = pool or self.companies[street.pk]
        else:
            pool = self.companies[street.pk]
        return pool[min(int(len(pool) * rng.random() ** 1.8), len(pool) - 1)]

    def new(self, kind: str, street: Unit) -> Party:
        """A party met for the first time (the cases written through the services)."""
        self.fresh += 1
        if kind == "person":
            return self._person(street)
        if kind == "operator":
            return self._organisation(f"深圳市新骑{self.fresh}号出行科技有限公司")
        return self._organisation(self._company_name(street))

    # --- making parties ----------------------------------------------------------------
    def _person(self, street: Unit) -> Party:
        rng = self.rng
        division = rng.choices([d for d, _ in DIVISIONS], weights=[w for _, w in DIVISIONS])[0]
        while True:
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 43))
            body = f"{division}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = make_id_number(body)
            if number not in self.codes:
                break
        self.codes.add(number)
        name, phone = texts.person(rng)
        road = rng.choice(names.ROADS.get(street.code[-3:], ["深南东路"]))
        return Party(
            kind=PartyKind.PERSON,
            name=name,
            id_number=number,
            identity=number,
            phone=phone,
            address=f"深圳市罗湖区{road}{rng.randrange(1, 300)}号",
        )

    def _organisation(self, name: str, code: str = "", address: str = "") -> Party:
        rng = self.rng
        while not code or code in self.codes:
            body = "".join(rng.choice("0123456789") for _ in range(8))
            code = make_credit_code(f"91440303{body}{_org_code_check(body)}")
        self.codes.add(code)
        return Party(
            kind=PartyKind.ORGANISATION,
            name=name,
            credit_code=code,
            identity=code,
            legal_representative=texts.person(rng)[0],
            phone=f"0755-2{rng.randrange(1000000, 9999999)}",
            address=address
            or f"深圳市罗湖区{rng.choice(names.ROADS['003'])}{rng.randrange(1, 300)}号",
        )

    def _company_name(self, street: Unit) -> str:
        return f"深圳市{self.rng.choice(names.WORDS)}{self.rng.choice(COMPANY_KINDS)}"

    def _entities(self) -> dict[str, dict[int | None, list[Party]]]:
        """The district's shops (by street), property managers and contractors as parties."""
        kinds = {
            EntityKind.SHOP: "shop",
            EntityKind.PROPERTY_MANAGER: "manager",
            EntityKind.SANITATION_CONTRACTOR: "collector",
        }
        found: dict[str, dict[int | None, list[Party]]] = {
            k: defaultdict(list) for k in kinds.values()
        }
        rows = Unit.objects.filter(entity_kind__in=kinds, credit_code__gt="").values_list(
            "entity_kind", "name", "credit_code", "address", "parent__parent_id", "path"
        )
        for entity_kind, name, code, address, street_id, _path in rows.order_by("path"):
            if code in self.codes:
                continue
            key = street_id if entity_kind == EntityKind.SHOP else None
            found[kinds[entity_kind]][key].append(self._organisation(name, code, address))
        return found
