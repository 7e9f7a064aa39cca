"""``cityloop demo``'s year of enforcement cases (行政执法办案; docs/enforcement.md "Demo").

The year is drawn first (``Plan``: category, violation, street, party, source, times), numbered
in the order the clues were registered, then told case by case in the order the parties'
histories are looked up (so that 首违 and earlier cases are what the services would have found)
and written in bulk: parties, cases, their officers, chained history rows (``seal_rows``, the
case's ``history_head``), clocks, evidence, payments. A sample of cases goes through the
services themselves (``enforcement_act``), which issue their documents (DOCX); clues are
referred from closed-loop cases of the year (the 移送执法 row in that case's history) and, when
the sorting year's raw days are there, made from sealed waste evidence packages.

Deterministic for a seed and a last day on a fresh database.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone, translation

from cityloop.core.progress import Progress
from cityloop.demo import names
from cityloop.demo.enforcement import links, mix
from cityloop.demo.enforcement.life import Context, Life
from cityloop.demo.enforcement.parties import Parties
from cityloop.demo.enforcement.staff import PREFIX, Staff, build_staff
from cityloop.demo.enforcement.story import Plan, Story, is_workday, office
from cityloop.demo.history.generate import _split, _sqlite_cache
from cityloop.enforcement import figures as report
from cityloop.enforcement.choices import (
    CASE_STATES,
    OPEN_CASE_STATES,
    ClockState,
    ClueSource,
    EnforcementState,
    Outcome,
    Procedure,
)
from cityloop.enforcement.history import HISTORY, write_first
from cityloop.enforcement.models import (
    CaseClock,
    Credential,
    Document,
    DocumentCounter,
    EnforcementCase,
    EnforcementEvent,
    Evidence,
    Party,
    Payment,
)
from cityloop.enforcement.selectors import rules_on, thresholds
from cityloop.enforcement.services import enforcement_act, sweep
from cityloop.events.models import Case, CaseEvent
from cityloop.events.services.transitions import CASES as LOOP
from cityloop.org.models import User
from cityloop.worktime.clock import SHANGHAI

REFER = "refer"  # the closed-loop action 移送执法 (events.workflow.Action.REFER)
REFER_COMMENT = "涉嫌违法，移送街道综合行政执法队立案查处"
CHUNK = 1000
TITLES = {
    "garbage": "未按规定分类投放生活垃圾",
    "shared_bikes": "共享单车未及时清理",
    "vending": "占道乱摆卖",
    "out_of_store": "超门线经营",
    "piling": "擅自堆放物料",
    "posting": "乱张贴小广告",
    "ads": "擅自设置户外广告招牌",
    "greening": "损坏、占用城市绿地",
    "dogs": "携犬出户未束犬链",
}


@dataclass
class EnforcementSummary:
    clues: int = 0
    cases: int = 0
    simple: int = 0
    open: int = 0
    not_filed: int = 0
    transferred: int = 0
    events: int = 0
    clocks: int = 0
    overdue: int = 0
    evidence: int = 0
    parties: int = 0
    repeat: int = 0
    officers: int = 0
    referred: int = 0
    packages: int = 0
    documents: int = 0
    sampled: int = 0
    states: Counter = field(default_factory=Counter)
    figures: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    seconds: float = 0.0

    def line(self) -> str:
        f = self.figures
        return (
            f"demo enforcement: {self.clues:,} clues, {self.cases:,} cases ({self.simple:,} on the "
            f"spot, {self.open:,} open; {self.not_filed} not filed, {self.transferred} "
            f"transferred), {self.events:,} history rows, {self.clocks:,} clocks "
            f"({self.overdue} overdue), {self.evidence:,} evidence items, {self.parties:,} "
            f"parties ({self.repeat:,} with earlier cases), {self.officers} credentialed "
            f"officers; {self.referred} referred from the closed loop, {self.packages} from "
            f"evidence packages; {self.documents} documents for {self.sampled} cases; "
            f"{self.first_day} – {self.last_day}: cases {f.get('cases', 0):,}, garbage "
            f"penalties {f.get('garbage_penalties', 0)}, shared-bike penalties "
            f"{f.get('shared_bike_penalties', 0)}, difficult cases reviewed "
            f"{f.get('difficult_reviewed', 0)} in {self.seconds:.1f} s"
        )


def enforcement_exists() -> bool:
    return EnforcementCase.objects.exists()


@transaction.atomic
def delete_enforcement() -> None:
    """Remove every enforcement case with its history, clocks, evidence, documents, payments
    and parties, the closed-loop cases' referral rows, the document counters, and the teams
    the stage added (``cityloop demo --reset``). Rows that others protect go first."""
    for document in Document.objects.exclude(docx=""):
        document.docx.delete(save=False)
        if document.pdf:
            document.pdf.delete(save=False)
    referred = list(
        EnforcementCase.objects.exclude(source_case=None).values_list("source_case", flat=True)
    )
    CaseEvent.objects.filter(action=REFER, case_id__in=referred).delete()
    Case.objects.filter(pk__in=referred).update(version=F("version") - 1)
    quote = connection.ops.quote_name
    through = EnforcementCase.officers.through
    tables = [
        Evidence,
        Document,
        Payment,
        CaseClock,
        through,
        EnforcementEvent,
        EnforcementCase,
        Party,
    ]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 (our tables)
    DocumentCounter.objects.all().delete()
    Credential.objects.all().delete()
    # A team member who sealed an evidence package stays until the sorting data goes (PROTECT);
    # ``delete_demo`` removes every unit member after it.
    from cityloop.sorting.models import EvidencePackage

    sealers = EvidencePackage.objects.filter(sealed_by__isnull=False).values("sealed_by")
    User.objects.filter(username__startswith=PREFIX).exclude(pk__in=sealers).delete()


def generate_enforcement(
    *,
    seed: int,
    until: date | None = None,
    days: int = 365,
    cases: int | None = None,
    sample: int = mix.SAMPLE,
    progress: Progress | None = None,
) -> EnforcementSummary:
    """A year of enforcement cases (``cases`` handled; default the seed's 3876, scaled to
    ``days``) ending the day before ``until``, as of ``until`` 00:00 Asia/Shanghai."""
    started = time.monotonic()
    until = until or timezone.localdate()
    total = cases if cases is not None else round(mix.DEFAULT_CASES * days / 365)
    progress = progress or Progress()
    progress.stage(f"demo enforcement: {total:,} cases over {days} days to {until} (seed {seed})")
    with translation.override(settings.LANGUAGE_CODE), _sqlite_cache():
        year = Year(seed, until, days, total, sample)
        summary = year.run(progress)
    summary.seconds = time.monotonic() - started
    return summary


class PartyHistory:
    """The parties' cases told so far: when each became a case and when it was decided with a
    penalty, for ``selectors.earlier_cases`` and ``earlier_same_violation`` at a moment."""

    def __init__(self) -> None:
        self.cases: dict[str, list[tuple[datetime | None, datetime | None, str]]] = defaultdict(
            list
        )

    def before(self, identity: str, code: str, at: datetime) -> tuple[int, bool]:
        rows = self.cases.get(identity, ())
        earlier = sum(1 for entered, _, _ in rows if entered is not None and entered < at)
        repeated = any(p is not None and p < at and c == code for _, p, c in rows)
        return earlier, repeated

    def add(self, case: EnforcementCase) -> None:
        if case.party is None:
            return
        entered = case.filed_at if case.procedure == Procedure.ORDINARY else case.decided_at
        penalty = case.decided_at if case.outcome == Outcome.PENALTY else None
        self.cases[case.party.identity].append((entered, penalty, case.violation.code))


class Year:
    def __init__(self, seed: int, until: date, days: int, total: int, sample: int) -> None:
        self.seed, self.total, self.sample = seed, total, sample
        self.days = [until - timedelta(days=days - k) for k in range(days)]
        self.now = datetime.combine(until, clock_time(0), SHANGHAI)
        self.staff: Staff = build_staff(seed)
        self.streets = [t.street for t in self.staff.teams]
        limits = rules_on(self.days[-1])
        from cityloop.enforcement.models import DiscretionTier, Violation

        violations = {v.code: v for v in Violation.objects.filter(current=True)}
        self.violations = violations
        tiers = {
            (t.violation_id, t.tier): (t.min_fine, t.max_fine, t.no_fine)
            for t in DiscretionTier.objects.filter(violation__in=violations.values())
        }
        roles = {self.staff.reviewer.pk: self.staff.role_of(self.staff.reviewer)}
        for team in self.staff.teams:
            roles[team.leader.pk] = "leader"
            roles.update({o.pk: "enforcement_officer" for o in team.officers})
        self.history = PartyHistory()
        self.ctx = Context(
            roles=roles,
            credentialed=set(Credential.objects.values_list("user_id", flat=True)),
            thresholds=thresholds(limits),
            warn_share=rules_on(None).warn_share,
            violations={v.pk: v for v in violations.values()},
            tiers=tiers,
            parties={},
            history=self.history,
        )

    # --- the plans ---------------------------------------------------------------------
    def plans(self) -> list[Plan]:
        rng = random.Random(self.seed * 1_000_033 + 11)
        counts = _split(self.total, list(mix.YEARLY.values()))
        categories = [c for c, n in zip(mix.YEARLY, counts, strict=True) for _ in range(n)]
        extra = round(self.total * mix.NOT_FILED), round(self.total * mix.TRANSFERRED)
        weights = list(mix.YEARLY.values())
        fates = [""] * len(categories) + ["not_filed"] * extra[0] + ["transferred"] * extra[1]
        categories += rng.choices(list(mix.YEARLY), weights=weights, k=sum(extra))
        day_weights = [1.0 if is_workday(d) else 0.6 for d in self.days]
        teams = self.staff.teams
        team_weights = [len(t.officers) for t in teams]
        person_cases: Counter = Counter()
        plans = []
        for i, (category, fate) in enumerate(zip(categories, fates, strict=True)):
            r = random.Random(self.seed * 7_368_787 + i)
            team = r.choices(teams, weights=team_weights)[0]
            offences = mix.OFFENCES[category]
            offence = r.choices(offences, weights=[o.share for o in offences])[0]
            plan = self._plan(
                r, category, offence, team, fate, rng.choices(self.days, weights=day_weights)[0]
            )
            if offence.party == "person":
                person_cases[team.street.pk] += 1
            plans.append(plan)
        self.parties = Parties(self.seed, self.streets, person_cases)
        self._mark_sample(plans)
        self._refer(plans)
        self._parties(plans)
        self._number(plans)
        return plans

    def _plan(self, r: random.Random, category: str, offence, team, fate: str, day: date) -> Plan:
        referred = category in mix.REFERRED_CATEGORIES and r.random() < mix.SOURCES["case"]
        simple = not fate and (r.random() < (mix.REFERRED_SIMPLE if referred else offence.simple))
        if referred:
            source = ClueSource.CASE
        elif simple:
            source = ClueSource.PATROL if r.random() < 0.85 else ClueSource.COMPLAINT
        else:
            draw = r.random()
            complaint, transfer = mix.SOURCES["complaint"], mix.SOURCES["transfer"]
            source = (
                ClueSource.COMPLAINT
                if draw < complaint
                else ClueSource.TRANSFER
                if draw < complaint + transfer
                else ClueSource.PATROL
            )
        minute = r.randrange(8 * 60, 21 * 60)
        at = datetime.combine(day, clock_time(minute // 60, minute % 60), SHANGHAI)
        road = r.choice(names.ROADS.get(team.street.code[-3:], ["深南东路"]))
        place = f"{road}{r.randrange(1, 300)}号"
        plan = Plan(
            number="",
            category=category,
            offence=offence,
            violation=self.violations[offence.code],
            street=team.street,
            team=team,
            source=source,
            registered_at=at,
            lookup_at=at,
            simple=simple,
            fate=fate,
            place=place,
            title=f"{road}{TITLES[category]}",
            facts=f"于{team.street.name}{place}{TITLES[category]}",
            seed=r.getrandbits(48),
        )
        self._lookup(plan, r)
        return plan

    def _lookup(self, plan: Plan, r: random.Random) -> None:
        at = plan.registered_at
        if plan.simple:
            plan.lookup_at = at + timedelta(minutes=r.randint(5, 40))
        elif plan.source == ClueSource.PATROL:
            plan.lookup_at = at + timedelta(minutes=r.randint(30, 240))
        else:
            plan.lookup_at = office(r, at, 0, 2)

    def _mark_sample(self, plans: list[Plan]) -> None:
        """Cases written through the services: decided well before now, two of three by the
        ordinary procedure, spread over the year and the streets."""
        early = self.now - timedelta(days=150)
        ordinary = [p for p in plans if not p.fate and not p.simple and p.registered_at < early]
        simple = [p for p in plans if not p.fate and p.simple and p.registered_at < early]
        wanted = (self.sample * 2 + 2) // 3 * 2, self.sample // 3 * 2  # twice: some stay open
        for pool, n in zip((ordinary, simple), wanted, strict=True):
            step = max(1, len(pool) // max(n, 1))
            for plan in pool[::step][:n]:
                plan.sample = True

    def _refer(self, plans: list[Plan]) -> None:
        """Referred clues: each from a closed-loop case of its street and mapped category,
        registered when that case was referred (移送执法), where the case allowed it."""
        wanted = [p for p in plans if p.source == ClueSource.CASE]
        candidates = links.referable(self.days[0], self.now, wanted)
        for plan in wanted:
            found = candidates.take(plan, random.Random(plan.seed + 1))
            if found is None:
                plan.source = ClueSource.COMPLAINT
                continue
            plan.source_case = found
            plan.registered_at = found.at
            plan.title = (found.description or found.ticket)[:200]
            plan.place = found.address[:200] or plan.place
            plan.facts = f"于{plan.place}{TITLES[plan.category]}，由城市管理案件{found.ticket}移送"
            self._lookup(plan, random.Random(plan.seed + 2))

    def _parties(self, plans: list[Plan]) -> None:
        """Each case's party; one act is fined once (第二十九条): a party drawn again for the
        same violation on the same day is replaced by another."""
        used: set[tuple[str, str, date]] = set()
        for plan in plans:
            r = random.Random(plan.seed + 3)
            street, kind = plan.street, plan.offence.party
            for _ in range(6):
                party = (
                    self.parties.new(kind, street)
                    if plan.sample
                    else self.parties.draw(kind, street, r)
                )
                key = (party.identity, plan.violation.code, plan.registered_at.date())
                if key not in used:
                    break
            else:
                party = self.parties.new(kind, street)
            used.add((party.identity, plan.violation.code, plan.registered_at.date()))
            plan.party = party
            self.ctx.parties[party.identity] = party

    def _number(self, plans: list[Plan]) -> None:
        """ZF + year + six digits, in the order of registration (``services.next_number``)."""
        seq: Counter = Counter()
        for plan in sorted(plans, key=lambda p: (p.registered_at, p.seed)):
            year = plan.registered_at.astimezone(SHANGHAI).year
            seq[year] += 1
            plan.number = f"ZF{year}{seq[year]:06d}"

    # --- telling and writing -----------------------------------------------------------
    def run(self, progress: Progress) -> EnforcementSummary:
        summary = EnforcementSummary(first_day=self.days[0], last_day=self.days[-1])
        plans = self.plans()
        lives: list[tuple[Plan, Life]] = []
        ordered = sorted(plans, key=lambda p: (p.lookup_at, p.seed))
        for n, plan in enumerate(ordered, start=1):
            lives.append((plan, self.tell(plan)))
            progress.step("enforcement cases", n, len(ordered), force=n == len(ordered))
        self._keep_sample(lives)
        with transaction.atomic():
            write(
                [life for plan, life in lives if not plan.sample],
                progress,
            )
            referrals(lives)
            sampled = [(p, life) for p, life in lives if p.sample]
            for n, (plan, life) in enumerate(sampled, start=1):
                replay(plan, life)
                progress.step(
                    "enforcement cases with documents", n, len(sampled), force=n == len(sampled)
                )
        summary.packages = links.package_clues(self.staff, self.now, self.violations, progress)
        sweep(self.now)
        self._summarise(summary, lives)
        return summary

    def _keep_sample(self, lives: list[tuple[Plan, Life]]) -> None:
        """The sample: the first of the marked cases that were decided (documents of a
        decision); the others are written in bulk with the rest."""
        kept = 0
        for plan, life in lives:
            if plan.sample:
                plan.sample = kept < self.sample and life.case.decided_at is not None
                kept += plan.sample

    def tell(self, plan: Plan) -> Life:
        case = EnforcementCase(
            number=plan.number,
            unit=plan.street,
            source=plan.source,
            source_case_id=plan.source_case.id if plan.source_case else None,
            source_note=plan.source_case.ticket if plan.source_case else "",
            title=plan.title,
            place=plan.place,
            facts=plan.facts,
            registered_at=plan.registered_at,
        )
        life = Life(self.ctx, case, self.now)
        story = Story(life, plan, self.staff)
        life.register(story.officer, register_data(plan))
        story.tell()
        self.history.add(case)
        return life

    def _summarise(self, summary: EnforcementSummary, lives: list[tuple[Plan, Life]]) -> None:
        cases = EnforcementCase.objects.all()
        summary.clues = cases.count()
        states = Counter(dict(cases.values_list("state").annotate(n=Count("pk"))))
        summary.states = states
        summary.cases = sum(n for s, n in states.items() if s in CASE_STATES)
        summary.open = sum(n for s, n in states.items() if s in OPEN_CASE_STATES)
        summary.not_filed = states.get(EnforcementState.NOT_FILED, 0)
        summary.transferred = states.get(EnforcementState.TRANSFERRED, 0)
        summary.simple = cases.filter(procedure=Procedure.SIMPLE).count()
        summary.events = EnforcementEvent.objects.count()
        summary.clocks = CaseClock.objects.count()
        summary.overdue = CaseClock.objects.filter(clock_state=ClockState.OVERDUE).count()
        summary.evidence = Evidence.objects.count()
        summary.parties = Party.objects.count()
        summary.repeat = cases.filter(earlier_cases__gt=0).count()
        summary.officers = Credential.objects.count()
        summary.referred = cases.exclude(source_case=None).count()
        summary.documents = Document.objects.count()
        summary.sampled = Document.objects.values("case").distinct().count()
        figs = report.figures(self.days[0], self.days[-1])
        summary.figures = {f.key: f.value for f in figs}


def register_data(plan: Plan) -> dict[str, Any]:
    """The first row's details, as ``register_clue`` records them."""
    data: dict[str, Any] = {"source": plan.source}
    if plan.source_case is not None:
        data["case"] = plan.source_case.ticket
    return data


def write(lives: list[Life], progress: Progress) -> None:
    """The told cases in bulk: parties, cases, officers, sealed history, clocks, evidence,
    payments."""
    fresh = {
        id(life.case.party): life.case.party
        for life in lives
        if life.case.party and not life.case.party.pk
    }
    Party.objects.bulk_create(list(fresh.values()), batch_size=CHUNK)
    cases = [life.case for life in lives]
    for case in cases:
        if case.party is not None:
            case.party_id = case.party.pk
    for start in range(0, len(cases), CHUNK):
        EnforcementCase.objects.bulk_create(cases[start : start + CHUNK])
        progress.step("enforcement cases written", min(start + CHUNK, len(cases)), len(cases))
    rows = []
    for life in lives:
        for row in life.rows:
            row.case_id = life.case.pk
            if isinstance(row.data.get("party"), Party):
                row.data["party"] = row.data["party"].pk
            rows.append(row)
    heads = HISTORY.seal_rows(rows, {})
    for start in range(0, len(rows), CHUNK * 2):
        EnforcementEvent.objects.bulk_create(rows[start : start + CHUNK * 2])
        progress.step("enforcement history rows", min(start + CHUNK * 2, len(rows)), len(rows))
    table = connection.ops.quote_name(EnforcementCase._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET history_head = %s WHERE id = %s",  # noqa: S608 (our own table)
            [(digest, pk) for pk, digest in heads.items()],
        )
    through = EnforcementCase.officers.through
    links = [
        through(enforcementcase_id=life.case.pk, user_id=u)
        for life in lives
        for u in sorted(life.officers)
    ]
    through.objects.bulk_create(links, batch_size=CHUNK * 2)
    for name in ("clocks", "evidence", "payments"):
        items = []
        for life in lives:
            for item in life.clocks.values() if name == "clocks" else getattr(life, name):
                item.case_id = life.case.pk
                items.append(item)
        type(items[0]).objects.bulk_create(items, batch_size=CHUNK) if items else None


def referrals(lives: list[tuple[Plan, Life]]) -> None:
    """The 移送执法 row in each referring closed-loop case's history (``events``' own history
    row, as its ``refer`` action writes it), and the case's version moved on."""
    rows, ids = [], []
    for plan, _life in lives:
        found = plan.source_case
        if found is None:
            continue
        actor = plan.team.officers[0]
        stub = Case(pk=found.id)
        rows.append(
            LOOP.write_history.row(
                stub,
                REFER,
                found.state,
                found.state,
                actor,
                found.at,
                comment=REFER_COMMENT,
                data={"enforcement": plan.number},
            )
        )
        ids.append(found.id)
    CaseEvent.objects.bulk_create(rows, batch_size=CHUNK)
    Case.objects.filter(pk__in=ids).update(version=F("version") + 1)


def replay(plan: Plan, life: Life) -> EnforcementCase:
    """A sampled case through the services: registered as ``register_clue`` registers it (with
    the year's number), then every act by ``enforcement_act``, which issues its documents."""
    first = life.rows[0]
    told = life.case
    case = EnforcementCase.objects.create(
        number=told.number,
        unit=told.unit,
        source=told.source,
        source_case_id=told.source_case_id,
        source_note=told.source_note,
        title=told.title,
        place=told.place,
        facts=plan.facts,
        registered_at=told.registered_at,
    )
    actor = User.objects.select_related("unit").get(pk=first.actor_id)
    write_first(case, actor, told.registered_at, dict(first.data))
    for step in life.steps:
        case = enforcement_act(
            actor=step.actor,
            case=case,
            action=step.action,
            comment=step.comment,
            now=step.at,
            **step.params,
        )
    return case
