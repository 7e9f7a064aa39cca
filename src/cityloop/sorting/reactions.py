"""From data to action (§3): camera alarms become cases, fill levels become collection tasks.
Called by the ingestion pipeline (``cityloop.devices.ingest``, through the listener
``sorting.ingestion`` installs) inside its transaction with the records stored for the first
time.

- An ``ai_alarm`` at or over ``CITYLOOP_ALARM_MIN_CONFIDENCE`` opens a case of the closed loop
  (source AI camera, category from ``CITYLOOP_ALARM_CATEGORIES``) at the point; another alarm of
  the same kind at the same point within ``CITYLOOP_ALARM_WINDOW_HOURS`` of the last one, while
  that case is still open, joins it instead (``AlarmCase``). Below the confidence an alarm is
  only counted (``PointDay.alarms``).
- A ``fill_level`` at or over ``CITYLOOP_FILL_THRESHOLD`` and an ``overflow`` alarm open a
  ``CollectionTask`` for the point's contractor, due ``CITYLOOP_TASK_DUE_HOURS`` later; while it
  is open, repeats raise its ``alarms``. A ``truck_collection`` at the point of that waste type
  marks it done.

A batch with none of these kinds costs no query (docs/decisions/0025-alarm-suppression.md).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from cityloop.core.i18n import both
from cityloop.core.refusals import ActionRefused
from cityloop.core.workflow.actors import SystemActor
from cityloop.devices.choices import MessageKind
from cityloop.devices.stored import Stored
from cityloop.sorting.choices import AlarmKind, TaskReason, TaskStatus
from cityloop.sorting.models import AlarmCase, CollectionPoint, CollectionTask, CollectionTaskEvent
from cityloop.sorting.services import TASKS
from cityloop.sorting.workflow import TaskAction
from cityloop.worktime.errors import CalendarUnavailable

log = logging.getLogger(__name__)

# Stored in a case's description, which is Chinese text (the alarm kinds' own words).
ALARM_ZH = {
    AlarmKind.MIXED_DISPOSAL: "混合投放",
    AlarmKind.LITTERING: "乱扔垃圾",
    AlarmKind.OVERFLOW: "垃圾满溢",
    AlarmKind.BAG_ON_GROUND: "小包垃圾落地",
}


# The kinds that may lead to an action, as plain strings (a set lookup per record is the only
# cost of a batch without them).
ACTING_KINDS = frozenset(
    {MessageKind.AI_ALARM.value, MessageKind.FILL_LEVEL.value, MessageKind.TRUCK_COLLECTION.value}
)


def react(stored: list[Stored], *, now: datetime) -> None:
    acting = [s for s in stored if s.kind in ACTING_KINDS and s.point_id is not None]
    if not acting:
        return
    alarms = [s for s in acting if s.kind == MessageKind.AI_ALARM]
    fills = [s for s in acting if s.kind == MessageKind.FILL_LEVEL]
    pickups = [s for s in acting if s.kind == MessageKind.TRUCK_COLLECTION]
    confident = [
        s
        for s in alarms
        if s.payload.get("confidence", 0) >= settings.CITYLOOP_ALARM_MIN_CONFIDENCE
    ]
    full = [s for s in fills if s.payload.get("level", 0) >= settings.CITYLOOP_FILL_THRESHOLD]
    overflows = [s for s in confident if s.payload.get("alarm") == AlarmKind.OVERFLOW]
    casing = [s for s in confident if category_for(s.payload.get("alarm")) is not None]
    if not (casing or full or overflows or pickups):
        return
    points = _lock_points({s.point_id for s in (*casing, *full, *overflows, *pickups)})
    if casing:
        _alarm_cases(sorted(casing, key=_order), points, now)
    if full or overflows or pickups:
        _tasks(sorted([*full, *overflows, *pickups], key=_order), points, now)


def _order(s) -> tuple:
    return (s.occurred_at, s.device_id, s.message_id, s.seq)


def _lock_points(ids: set[int]) -> dict[int, CollectionPoint]:
    """The points, locked in id order (PostgreSQL): two batches reacting at one point queue up,
    so neither opens a second case or task beside the other's."""
    rows = (
        CollectionPoint.objects.select_for_update(of=("self",))
        .select_related("community", "contractor")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {p.pk: p for p in rows}


# --- Alarms → cases ---------------------------------------------------------------------------


def category_for(kind: str | None) -> tuple[str, str, str] | None:
    """The (kind, major, minor) key of the category an alarm kind opens cases in, from
    ``CITYLOOP_ALARM_CATEGORIES`` (``event:01-92``); None: this kind opens no case."""
    value = settings.CITYLOOP_ALARM_CATEGORIES.get(kind or "", "").strip()
    if not value:
        return None
    cat_kind, _sep, codes = value.partition(":")
    major, _dash, minor = codes.partition("-")
    return cat_kind.strip(), major.strip(), minor.strip()


def _minor(key: tuple[str, str, str]):
    from cityloop.categories.models import MinorCategory

    kind, major, minor = key
    found = (
        MinorCategory.objects.active()
        .filter(major__kind=kind, major__code=major, code=minor)
        .first()
    )
    if found is None:
        log.warning("CITYLOOP_ALARM_CATEGORIES names no active category %s:%s-%s", *key)
    return found


def _alarm_cases(alarms: list, points: dict[int, CollectionPoint], now: datetime) -> None:
    from cityloop.events.choices import OPEN_STATES

    window = timedelta(hours=settings.CITYLOOP_ALARM_WINDOW_HOURS)
    kinds = {s.payload["alarm"] for s in alarms}
    earliest = min(s.occurred_at for s in alarms) - window
    current: dict[tuple[int, str], AlarmCase] = {}
    rows = (
        AlarmCase.objects.filter(
            point_id__in={s.point_id for s in alarms},
            alarm__in=kinds,
            last_at__gte=earliest,
            case__state__in=OPEN_STATES,
        )
        .select_related("case")
        .order_by("last_at", "pk")
    )
    for row in rows:
        current[(row.point_id, row.alarm)] = row  # the latest per point and kind
    categories: dict[tuple, object] = {}
    changed: dict[int, AlarmCase] = {}
    for s in alarms:
        kind = s.payload["alarm"]
        joined = current.get((s.point_id, kind))
        if joined is not None and abs(s.occurred_at - joined.last_at) <= window:
            joined.alarms += 1
            if s.occurred_at >= joined.last_at:
                joined.last_at = s.occurred_at
                joined.last_snapshot = s.payload.get("snapshot", "")
            if joined.pk is not None:
                changed[joined.pk] = joined
            continue
        key = category_for(kind)
        if key not in categories:
            categories[key] = _minor(key)
        try:
            with transaction.atomic():  # a refusal leaves nothing of the case behind
                case = _open_case(s, points[s.point_id], categories[key], now)
        except CalendarUnavailable as missing:
            # The case's clock would run into a year nobody has declared yet (docs/deadlines.md):
            # the alarm stays stored and counted; the case cannot be opened with a guessed
            # deadline. The administrators see the missing year on the calendar pages.
            log.warning("alarm at %s stored without a case: %s", s.point_id, missing)
            continue
        link = AlarmCase.objects.filter(case=case).first()
        if link is None:
            link = AlarmCase.objects.create(
                point_id=s.point_id,
                alarm=kind,
                case=case,
                first_at=s.occurred_at,
                last_at=s.occurred_at,
                alarms=1,
                last_snapshot=s.payload.get("snapshot", ""),
            )
        current[(s.point_id, kind)] = link
    if changed:
        AlarmCase.objects.bulk_update(changed.values(), ["alarms", "last_at", "last_snapshot"])


def _open_case(s, point: CollectionPoint, category, now: datetime):
    from cityloop.events.choices import Source
    from cityloop.events.services.intake import case_report

    kind = s.payload["alarm"]
    snapshot = s.payload.get("snapshot", "")
    description = (
        f"投放点 {point.code} {point.name}：AI摄像头告警「{ALARM_ZH.get(kind, kind)}」，"
        f"置信度 {s.payload['confidence']:.2f}，时间 {_local(s.occurred_at)}"
        + (f"，抓拍 {snapshot}" if snapshot else "")
        + "。"
    )
    common = {
        "source": Source.AI_CAMERA,
        "description": description,
        "category": category,
        "external_id": f"alarm:{s.device_id}:{s.message_id}:{s.seq}",
        "now": now,
    }
    try:
        return case_report(lon=point.lon, lat=point.lat, **common).case
    except ActionRefused as refused:  # the point lies outside the district's map
        log.warning("alarm case at %s without a map place: %s", point.code, both(refused.message))
        address = f"{point.community.name} {point.name}"
        return case_report(address=address, **common).case


def _local(moment: datetime) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# --- Fill levels and overflows → collection tasks ----------------------------------------------


def _tasks(records: list, points: dict[int, CollectionPoint], now: datetime) -> None:
    due = timedelta(hours=settings.CITYLOOP_TASK_DUE_HOURS)
    open_tasks = {
        (t.point_id, t.waste_type): t
        # Locked (after the points, which ingestion locks first; a task's own action locks only
        # the task): a task marked done meanwhile is read as it is now, not overwritten.
        for t in CollectionTask.objects.select_for_update(of=("self",))
        .filter(point_id__in={s.point_id for s in records}, status=TaskStatus.OPEN)
        .order_by("pk")
    }
    touched: dict[int, CollectionTask] = {}
    history: list[CollectionTaskEvent] = []
    for s in records:
        waste = s.waste_type or ""
        if s.kind == MessageKind.TRUCK_COLLECTION:
            done = [
                t
                for (point, kind), t in open_tasks.items()
                if point == s.point_id
                and (kind == waste or not kind or not waste)
                and t.opened_at <= s.occurred_at
            ]
            # The truck's record is the system's word that the bins were emptied, then.
            history.extend(
                TASKS.apply_in_bulk(
                    done,
                    TaskAction.COMPLETE,
                    actor=SystemActor(),
                    at=lambda _t, at=s.occurred_at: at,
                )
            )
            for task in done:
                touched[task.pk] = task
                del open_tasks[(task.point_id, task.waste_type)]
            continue
        is_fill = s.kind == MessageKind.FILL_LEVEL
        task = open_tasks.get((s.point_id, waste))
        if task is not None:
            task.alarms += 1
            task.last_alarm_at = max(task.last_alarm_at, s.occurred_at)
            if is_fill:
                task.level = max(task.level or 0, s.payload["level"])
            touched[task.pk] = task
            continue
        # A truck of this batch may have closed the point's open task in memory only: write
        # the pending changes first, or the database still holds that task as open and the new
        # one breaks the one-open-task constraint (devices_task_one_open).
        _save_tasks(touched)
        task = CollectionTask.objects.create(
            point_id=s.point_id,
            waste_type=waste,
            contractor=points[s.point_id].contractor,
            reason=TaskReason.FILL_LEVEL if is_fill else TaskReason.OVERFLOW,
            level=s.payload["level"] if is_fill else None,
            opened_at=s.occurred_at,
            due_at=s.occurred_at + due,
            alarms=1,
            last_alarm_at=s.occurred_at,
        )
        open_tasks[(s.point_id, waste)] = task
    _save_tasks(touched)
    CollectionTaskEvent.objects.bulk_create(history)


def _save_tasks(touched: dict[int, CollectionTask]) -> None:
    """Write the tasks changed in memory (one statement) and forget them."""
    if touched:
        CollectionTask.objects.bulk_update(
            touched.values(), ["status", "done_at", "alarms", "last_alarm_at", "level", "version"]
        )
        touched.clear()
