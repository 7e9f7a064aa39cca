"""What happens to one case, step by step and when: who accepts it, confirms it, files and
dispatches it, which unit handles it and how fast, and the side paths (退回, 延期, 挂账, 督办,
返工, 作废, 街道吹哨), drawn at the rates of ``mix``.

Timing rules. The command centre works 07:30–22:30 every day, inspectors 08:00–21:00, units
sign for tasks 08:00–20:00; urgent cases are worked around the clock. The centre's and the
inspectors' steps come inside 80 % of their stage limits, so their clocks warn only when a
case waits at a step (``HOLD``, in the last days). Handling takes a share of its limit counted
in working time (``add_working_time``); a late unit overruns it, and the sweep then warns,
marks it overdue and, for a social entity or a community, escalates the case to the tier
above, as it does live.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from cityloop.demo.history import mix, texts
from cityloop.demo.history.machine import CaseLife, minute_after
from cityloop.events.choices import Source, Urgency
from cityloop.events.services.handlers import DEFAULT_CONFIRM_SOURCES
from cityloop.events.services.sweep import ESCALATE_FROM
from cityloop.org.choices import Role
from cityloop.worktime.clock import SHANGHAI

CENTRE = (7 * 60 + 30, 22 * 60 + 30)  # minutes after midnight
FIELD = (8 * 60, 21 * 60)
UNITS = (8 * 60, 20 * 60)
VISITS = (9 * 60, 20 * 60)
ONE_DAY = timedelta(days=1)
PUBLIC = frozenset({Source.CITIZEN, Source.HOTLINE, Source.OPEN311})
ASSIST_FUNCTIONS = {
    "01-01": ("housing", "enforcement"),
    "03-01": ("housing", "ecology"),
    "01-30": ("water", "ecology"),
    "05-03": ("water",),
    "01-28": ("ecology", "public_security"),
    "03-02": ("transport", "housing"),
}


def confirm_sources() -> frozenset[str]:
    """handlers.needs_confirmation's sources: public reports are confirmed on site first."""
    return frozenset(getattr(settings, "CITYLOOP_CONFIRM_SOURCES", DEFAULT_CONFIRM_SOURCES))


def within(at: datetime, window: tuple[int, int], delay: timedelta) -> datetime:
    """``at`` + ``delay``, counting only inside a daily window (every day of the week)."""
    local = at.astimezone(SHANGHAI)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    opens, closes = (timedelta(minutes=m) for m in window)
    if local - midnight < opens:
        local = midnight + opens
    elif local - midnight >= closes:
        midnight += ONE_DAY
        local = midnight + opens
    while local + delay > midnight + closes:
        delay -= midnight + closes - local
        midnight += ONE_DAY
        local = midnight + opens
    return local + delay


def later(life: CaseLife, at: datetime, window, low: float, high: float) -> datetime:
    """A step ``low``–``high`` minutes after ``at`` in the window (any time if urgent)."""
    urgent = life.p.urgency == Urgency.URGENT
    return later_from(life.rng, at, window, low, high, urgent=urgent)


def later_from(rng, at: datetime, window, low: float, high: float, *, urgent: bool) -> datetime:
    delay = timedelta(seconds=round(rng.uniform(low, high) * 60))
    return at + delay if urgent else within(at, window, delay)


def tell(life: CaseLife) -> None:
    """The whole story; ``Stop`` ends it early (the step lies after now)."""
    p, w = life.p, life.w
    acceptor = w.centre(Role.ACCEPTOR)
    if p.fate == "merge":
        life.merge(p.accept_at, acceptor, p.merge_into)
        return
    if life.rng.random() < mix.REJECT.get(p.source, 0.0):
        reason = _reject_reason(life)
        life.reject(p.accept_at, acceptor, reason, texts.REJECT[reason])
        return
    confirm = p.source in confirm_sources()
    life.accept(p.accept_at, acceptor, confirm=confirm)
    t = p.accept_at
    if confirm:
        t = later(life, t, FIELD, 15, 95)
        inspector = _inspector(life)
        if life.rng.random() < mix.REFUTE:
            life.refute(t, inspector, life.rng.choice(texts.REFUTE))
            return
        life.confirm(t, inspector, "现场属实")
    t = later(life, t, CENTRE, 2, 20)
    life.file(t, w.centre(Role.SHIFT_LEADER), _condition(life))
    if life.rng.random() < mix.CANCEL / 2:
        _cancel(life, t)
        return
    _dispatch_and_handle(life, later(life, t, CENTRE, 2, 20))


def _reject_reason(life: CaseLife) -> str:
    if life.p.source in (Source.AI_CAMERA, Source.IOT_SENSOR):
        return life.rng.choice(("not_enough_information", "out_of_scope"))
    return life.rng.choice(("out_of_scope", "duplicate", "not_enough_information"))


def _inspector(life: CaseLife):
    spot = life.p.spot
    return life.w.inspector(spot.community.pk, spot.street.pk, life.rng.random())


def _condition(life: CaseLife):
    category = life.p.category
    return life.rng.choices(category.conditions, weights=category.weights)[0]


def _cancel(life: CaseLife, at: datetime) -> None:
    """作废: the dispatcher asks, the shift leader approves."""
    w = life.w
    t = later(life, at, CENTRE, 10, 120)
    life.request_cancel(t, w.centre(Role.DISPATCHER), life.rng.choice(texts.CANCEL))
    life.approve_cancel(later(life, t, CENTRE, 10, 60), w.centre(Role.SHIFT_LEADER))


def _dispatch_and_handle(life: CaseLife, t: datetime) -> None:
    p, w, rng = life.p, life.w, life.rng
    spot = p.spot
    route = w.route(p.category, spot.community, spot.street, spot.zone_ids)
    dispatcher = w.dispatcher(spot.street.pk, rng.random())
    if rng.random() < mix.RETURN:
        t = _misrouted(life, t, dispatcher, route)
    assisting = ()
    if p.category.key in mix.JOINT_CATEGORIES and rng.random() < mix.JOINT:
        assisting = _assisting(life, t, route.unit)
    life.dispatch(t, dispatcher, route.unit, route.reason, assisting=assisting)
    fed_back = _handle(life, t)
    if fed_back is not None:
        _check_and_close(life, fed_back)


def _misrouted(life: CaseLife, t: datetime, dispatcher, route) -> datetime:
    """Dispatched to the wrong unit, which returns it (退回); dispatched again later."""
    wrong = life.w.wrong_unit(route.unit, life.p.spot, life.rng.random())
    life.dispatch(t, dispatcher, wrong, route.reason, overridden=True, comment=texts.WRONG_DISPATCH)
    handler = life.w.handler(wrong)
    back = later(life, t, UNITS, 20, 240)
    if life.rng.random() < 0.3:
        life.sign(later(life, t, UNITS, 5, 15), handler)
        back = max(back, life.events[-1].at + timedelta(minutes=5))
    life.give_back(back, handler, life.rng.choice(texts.RETURN))
    return later(life, back, CENTRE, 5, 20)


def _assisting(life: CaseLife, at: datetime, lead_unit) -> tuple:
    """街道吹哨、部门报到: departments summoned beside the lead, due with the lead's limit."""
    w = life.w
    found = []
    for function in ASSIST_FUNCTIONS.get(life.p.category.key, ()):
        unit = w.departments.get(function)
        if unit is not None and unit.pk != lead_unit.pk and unit not in found:
            found.append(unit)
    if not found:
        return ()
    limit = w.handle_limit(life.filing_condition, life.p.spot.area_class, life.p.urgency)
    due = life.add_time(at, limit.duration, lead_unit, limit.clock)
    return tuple((unit, due) for unit in found)


def _in_hours(life: CaseLife, moment: datetime, window, latest: datetime) -> datetime:
    """``moment`` moved into the window's hours, unless that would pass ``latest``."""
    if life.p.urgency == Urgency.URGENT:
        return moment
    moved = within(moment, window, timedelta(0))
    return moved if moved <= latest else moment


def _fraction(life: CaseLife, late: bool) -> float:
    if not late:
        return 0.05 + 0.9 * life.rng.betavariate(2, 3)
    if life.rng.random() < mix.STRAGGLER / max(mix.LATE.values()):
        return life.rng.uniform(4, 25)  # drags on for weeks
    return life.rng.uniform(1.05, 2.5)


def _after(life: CaseLife, start: datetime, fraction: float) -> datetime:
    """``fraction`` of the running handling limit after ``start``, on its clock."""
    unit = life.lead().unit
    moment = life.add_time(start, life.effective * fraction, unit, life.limit.clock)
    return max(moment.replace(microsecond=0), start + timedelta(seconds=1))


def _handle(life: CaseLife, start: datetime) -> datetime | None:
    """Sign, work, feed back; escalations, requests, urges and assisting reports on the way.
    Returns when the lead fed back, or None when the case was cancelled."""
    rng, w = life.rng, life.w
    while True:
        unit = life.lead().unit
        handler = w.handler(unit)
        sign_at = later(life, start, UNITS, 5, 90)
        late = rng.random() < mix.LATE.get(unit.kind, 0.05)
        fraction = _fraction(life, late)
        fed_back = _after(life, start, fraction)
        if fraction < w.warning_share:
            life.hint_warning_after(fed_back)
        if unit.kind in ESCALATE_FROM and fed_back >= life.deadline:
            overdue = minute_after(life.deadline)
            if sign_at < overdue:
                life.sign(sign_at, handler)
            life.escalate(overdue)
            start = overdue
            continue
        break
    if sign_at >= fed_back:
        sign_at = start + (fed_back - start) * rng.uniform(0.1, 0.4)
    life.sign(sign_at.replace(microsecond=0), handler)
    mode = _mode(life, unit)
    if mode == "cancel":
        _cancel(life, sign_at)
        return None
    if mode == "suspension":
        fed_back = _suspend(life, sign_at, handler)
    elif mode == "extension":
        fed_back = _extend(life, sign_at, handler)
    _on_the_way(life, fed_back)
    life.feed_back(fed_back, handler, texts.feedback(rng, *_words(life)))
    return fed_back


def _words(life: CaseLife) -> tuple[str, str, str]:
    m = life.p.category.mix
    return m.group, m.kind, m.sources


def _mode(life: CaseLife, unit) -> str:
    rng, key = life.rng, life.p.category.key
    if rng.random() < mix.CANCEL / 2:
        return "cancel"
    if not life.w.has_account(unit):  # a request needs an account (CaseRequest.requested_by)
        return ""
    long_work = life.effective >= timedelta(hours=8)
    if long_work and key in mix.SUSPENSION_CATEGORIES and rng.random() < mix.SUSPENSION:
        return "suspension"
    if life.effective >= timedelta(hours=4) and rng.random() < mix.EXTENSION:
        return "extension"
    return ""


def _suspend(life: CaseLife, signed: datetime, handler) -> datetime:
    """挂账: asked, approved, resumed weeks or months later; then handled in what is left."""
    rng, leader = life.rng, life.w.centre(Role.SHIFT_LEADER)
    asked = later(life, signed, UNITS, 30, 240)
    life.request_suspension(asked, handler, rng.choice(texts.SUSPENSION))
    approved = later(life, asked, CENTRE, 20, 180)
    life.approve_suspension(approved, leader)
    parked = timedelta(days=rng.uniform(*mix.SUSPENSION_DAYS))
    resumed = later(life, approved + parked, CENTRE, 0, 30)
    life.resume(resumed, leader)
    return _before_deadline(life, resumed)


def _extend(life: CaseLife, signed: datetime, handler) -> datetime:
    """延期: asked half-way through the limit, approved by the shift leader."""
    rng = life.rng
    asked = signed + (life.deadline - signed) * rng.uniform(0.3, 0.7)
    asked = _in_hours(life, asked, UNITS, life.deadline).replace(microsecond=0)
    unit = life.lead().unit
    hours = timedelta(hours=rng.choice((4, 8, 16, 24)))
    wanted = life.add_time(life.deadline, hours, unit, life.limit.clock).replace(microsecond=0)
    life.request_extension(asked, handler, wanted, rng.choice(texts.EXTENSION))
    approved = later(life, asked, CENTRE, 10, 90)
    life.approve_extension(approved, life.w.centre(Role.SHIFT_LEADER))
    return _before_deadline(life, approved)


def _before_deadline(life: CaseLife, start: datetime) -> datetime:
    share = 0.1 + 0.85 * life.rng.random()
    moment = _in_hours(life, start + (life.deadline - start) * share, UNITS, life.deadline)
    return max(moment.replace(microsecond=0), start)


def _on_the_way(life: CaseLife, fed_back: datetime) -> None:
    """Urges (督办) and assisting units' reports, in time order, before the feedback."""
    rng, w = life.rng, life.w
    since = life.events[-1].at
    steps = []
    if fed_back > life.deadline and rng.random() < mix.URGE_OVERDUE:
        first = max(minute_after(life.deadline), since) + timedelta(hours=rng.uniform(1, 8))
        steps.append((first, "urge", None))
        if rng.random() < mix.URGE_AGAIN:
            steps.append((first + timedelta(days=rng.uniform(1, 5)), "urge", None))
    elif rng.random() < mix.URGE_ANY:
        steps.append((since + (fed_back - since) / 2, "urge", None))
    for task in life.assignments:
        if task.role == "assist" and task.state == "dispatched":
            steps.append((since + (fed_back - since) * rng.uniform(0.2, 0.9), "assist", task))
    moved = [
        (_in_hours(life, at, CENTRE if kind == "urge" else UNITS, fed_back), kind, task)
        for at, kind, task in steps
    ]
    for at, kind, task in sorted(moved, key=lambda s: s[0]):
        at = max(at.replace(microsecond=0), life.events[-1].at)
        if kind == "urge":
            if at < fed_back:
                life.urge(at, w.centre(Role.LEADER), rng.choice(texts.URGE))
        else:
            life.assist_report(at, w.handler(task.unit), task, rng.choice(texts.ASSIST))


def _check_and_close(life: CaseLife, fed_back: datetime) -> None:
    """核查 (or 返工 and again), 结案, and for public reports the return visit (回访)."""
    rng, w = life.rng, life.w
    chance, t = mix.REWORK, fed_back
    while True:
        checked = later(life, t, FIELD, 20, 190)
        inspector = _inspector(life)
        if rng.random() >= chance:
            life.verify(checked, inspector)
            break
        life.rework(checked, inspector, rng.choice(texts.REWORK))
        fraction = _fraction(life, late=False)
        t = _after(life, checked, fraction)
        if fraction < w.warning_share:
            life.hint_warning_after(t)
        life.feed_back(t, w.handler(life.lead().unit), texts.feedback(rng, *_words(life)))
        chance = mix.REWORK_AGAIN
    closed = later(life, checked, CENTRE, 5, 45)
    life.close(closed, w.centre(Role.SHIFT_LEADER))
    if life.p.source in PUBLIC and rng.random() < mix.EVALUATE:
        score = _score(life)
        visited = later(life, closed, VISITS, 60, 72 * 60)
        life.evaluate(visited, w.centre(Role.ACCEPTOR), score, rng.choice(texts.EVALUATION[score]))


def _score(life: CaseLife) -> int:
    table = (
        mix.SATISFACTION_LATE
        if life.closed_on_time is False or life.rework_count
        else mix.SATISFACTION
    )
    return life.rng.choices(list(table), weights=list(table.values()))[0]
