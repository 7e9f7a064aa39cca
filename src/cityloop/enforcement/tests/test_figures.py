"""The annual report's enforcement figures (decision 0053): each counts what it says and not
its neighbours (period edges, another street, a decision without a penalty, a clue not
filed, a referred case counted once), the report's sentence, the workbook and the command."""

from __future__ import annotations

import io
from datetime import date, timedelta
from itertools import count

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from cityloop.categories.models import MinorCategory
from cityloop.core.refusals import BadInput
from cityloop.enforcement import figures as report
from cityloop.enforcement.choices import EnforcementState, Outcome, Procedure
from cityloop.enforcement.models import EnforcementCase, EnforcementEvent
from cityloop.enforcement.tests.conftest import local
from cityloop.events.choices import CaseState, Stage
from cityloop.events.models import Case

YEAR = (date(2024, 1, 1), date(2024, 12, 31))
INSIDE = local(2024, 6, 3, 10, 0)
FIRST_MOMENT = local(2024, 1, 1, 0, 0)
LAST_MOMENT = local(2024, 12, 31, 23, 59, 59)
BEFORE = local(2023, 12, 31, 23, 59, 59)
AFTER = local(2025, 1, 1, 0, 0)
numbers = count(1)


def _case(team, violation=None, *, unit=None, **fields) -> EnforcementCase:
    """An enforcement case as a direct row (the procedures have their own tests)."""
    n = next(numbers)
    fields.setdefault("state", EnforcementState.INVESTIGATING)
    return EnforcementCase.objects.create(
        number=f"FIG{n:06d}",
        unit=unit or team.street,
        source="patrol",
        title=f"案件 {n}",
        registered_at=local(2023, 12, 1, 9, 0),
        violation=team.violation(violation) if violation else None,
        **fields,
    )


def _filed(team, violation=None, at=INSIDE, **fields) -> EnforcementCase:
    fields.setdefault("filed_at", at)
    return _case(team, violation, procedure=Procedure.ORDINARY, **fields)


def _decided(team, violation, at=INSIDE, outcome=Outcome.PENALTY, **fields) -> EnforcementCase:
    """Filed 30 days before ``at``, decided at ``at``."""
    fields.setdefault("filed_at", at - timedelta(days=30))
    fields.update(outcome=outcome, decided_at=at, state=EnforcementState.DECIDED)
    return _case(team, violation, procedure=Procedure.ORDINARY, **fields)


def _on_the_spot(team, violation, at=INSIDE, **fields) -> EnforcementCase:
    return _case(
        team,
        violation,
        procedure=Procedure.SIMPLE,
        outcome=Outcome.PENALTY,
        decided_at=at,
        state=EnforcementState.EXECUTION,
        **fields,
    )


def _loop_case(street, code, closed_at=INSIDE, state=CaseState.CLOSED) -> Case:
    """A closed-loop case of event category ``code`` (``"04-06"``) closed at ``closed_at``."""
    major, minor = code.split("-")
    category = MinorCategory.objects.get(major__kind="event", major__code=major, code=minor)
    return Case.objects.create(
        ticket=f"T{next(numbers):08d}",
        source="inspector",
        description="x",
        category=category,
        street=street,
        stage=Stage.NONE,
        state=state,
        reported_at=closed_at - timedelta(days=1),
        closed_at=closed_at,
    )


def _reviewed(case, at=INSIDE) -> None:
    EnforcementEvent.objects.create(
        case=case, action="pass_legal_review", from_state="legal_review", to_state="reviewed", at=at
    )


def _values(figs) -> dict[str, int]:
    return {f.key: f.value for f in figs}


def _year(unit=None) -> dict[str, int]:
    return _values(report.figures(*YEAR, unit))


def test_nothing_counted_is_every_figure_zero_in_the_reports_order(team):
    figs = report.figures(*YEAR)

    assert [f.label for f in figs] == [
        "办理行政执法案件",
        "办理垃圾分类行政处罚案件",
        "办理共享单车行政处罚案件",
        "清理整治各类违法乱摆卖",
        "清理“三乱”",
        "查处违法超门线经营行为",
        "整治乱堆放",
        "拆除不合规户外广告",
        "审查重难点案件",
    ]
    assert set(_values(figs).values()) == {0}
    assert [f.unit for f in figs].count("块") == 1


def test_enforcement_cases_are_the_filed_and_the_decided_on_the_spot_in_the_period(team):
    _filed(team, "GS-03", at=FIRST_MOMENT)
    _filed(team, "GS-03", at=LAST_MOMENT)
    _on_the_spot(team, "SR-VEND")
    _filed(team, "GS-03", at=BEFORE)
    _filed(team, "GS-03", at=AFTER)
    _on_the_spot(team, "SR-VEND", at=AFTER)
    team.clue(now=INSIDE)  # a clue, never filed
    _case(team, "GS-03", state=EnforcementState.NOT_FILED)  # not filed: no filed_at

    assert _year()["cases"] == 3


def test_a_penalty_figure_counts_its_category_decided_with_a_penalty_in_the_period(team):
    _decided(team, "GS-01")
    _on_the_spot(team, "GS-02")
    _decided(team, "GS-01", outcome=Outcome.NO_PENALTY_MINOR)
    _decided(team, "GS-01", outcome=Outcome.NO_PENALTY_UNFOUNDED)
    _decided(team, "GS-01", at=AFTER)
    _filed(team, "GS-01")  # filed, not decided yet
    _decided(team, "SB-01")
    _decided(team, "SB-02", at=BEFORE)

    counted = _year()

    assert counted["garbage_penalties"] == 2
    assert counted["shared_bike_penalties"] == 1


def test_a_cleanup_figure_counts_closed_loop_cases_closed_and_its_enforcement_cases(team):
    street = team.street
    _loop_case(street, "04-06")
    _loop_case(street, "04-01", closed_at=LAST_MOMENT)
    _loop_case(street, "04-06", closed_at=AFTER)
    _loop_case(street, "04-92")  # 便民服务摊点: licensed, not 乱摆卖
    _loop_case(street, "04-06", state=CaseState.HANDLING, closed_at=INSIDE)  # reopened
    _on_the_spot(team, "SR-VEND")
    _loop_case(street, "04-05")
    _filed(team, "SR-DOOR")
    _loop_case(street, "02-01")
    _loop_case(street, "02-07")
    _loop_case(street, "01-36")
    _loop_case(street, "03-06")
    _filed(team, "MR-36P", at=BEFORE)

    counted = _year()

    assert counted["vending"] == 3
    assert counted["out_of_store"] == 2
    assert counted["posting"] == 2
    assert counted["piling"] == 2
    assert counted["cases"] == 2


def test_a_case_referred_from_the_closed_loop_is_counted_once(team):
    referred = _loop_case(team.street, "04-06")
    _filed(team, "SR-VEND", source_case=referred)
    # Referred from a case closed in another year: this year it is the enforcement case.
    earlier = _loop_case(team.street, "04-06", closed_at=BEFORE)
    _filed(team, "SR-VEND", source_case=earlier)

    assert _year()["vending"] == 2


def test_ads_removed_are_closed_loop_removals_and_penalty_decisions_ordering_removal(team):
    _loop_case(team.street, "02-03")
    _loop_case(team.street, "02-06")  # 违规牌匾标识: rectified, not necessarily removed
    _decided(team, "MR-36A")
    _decided(team, "MR-36A", outcome=Outcome.NO_PENALTY_UNFOUNDED)
    _filed(team, "MR-36A")  # not decided yet
    referred = _loop_case(team.street, "02-03")
    _decided(team, "MR-36A", source_case=referred)

    assert _year()["ads_removed"] == 3


def test_difficult_cases_reviewed_are_those_whose_legal_review_passed_in_the_period(team):
    _reviewed(_filed(team, "GS-02", difficult=True))
    _reviewed(_filed(team, "GS-02", difficult=True, at=BEFORE), at=FIRST_MOMENT)
    _reviewed(_filed(team, "GS-02", difficult=False))
    _reviewed(_filed(team, "GS-02", difficult=True), at=AFTER)
    _filed(team, "GS-02", difficult=True)  # never reviewed
    twice = _filed(team, "GS-02", difficult=True)
    _reviewed(twice)
    _reviewed(twice, at=INSIDE + timedelta(days=1))

    assert _year()["difficult_reviewed"] == 3


def test_one_street_counts_its_own_cases_only_and_the_streets_add_up(team):
    other = team.tiny.streets["002"]
    _filed(team, "GS-03")
    _decided(team, "GS-01")
    _loop_case(team.street, "04-06")
    _filed(team, "GS-03", unit=other)
    _loop_case(other, "04-06")
    _loop_case(other, "04-05")
    _filed(team, "GS-03", unit=team.district)

    mine, theirs, district = _year(team.street), _year(other), _year()

    assert (mine["cases"], mine["garbage_penalties"], mine["vending"]) == (2, 1, 1)
    assert (theirs["cases"], theirs["vending"], theirs["out_of_store"]) == (1, 1, 1)
    assert district["cases"] == 4
    rows = report.by_street(*YEAR)
    assert [r.name for r in rows] == ["街道001", "街道002", "罗湖区"]
    for key in district:
        assert sum(_values(r.figures)[key] for r in rows) == district[key]


def test_a_community_or_a_reversed_period_is_refused_on_its_field(team):
    with pytest.raises(BadInput) as caught:
        report.figures(*YEAR, team.tiny.communities["440303001001"])
    assert caught.value.field == "unit"
    with pytest.raises(BadInput) as caught:
        report.figures(date(2024, 12, 31), date(2024, 1, 1))
    assert caught.value.field == "end"


def test_the_counts_take_the_same_few_queries_however_many_cases(team, django_assert_num_queries):
    with django_assert_num_queries(3):
        report.figures(*YEAR)
    for _ in range(5):
        _decided(team, "GS-01")
        _loop_case(team.street, "04-06")
    with django_assert_num_queries(3):
        assert _year()["garbage_penalties"] == 5


@pytest.mark.parametrize(
    ("value", "approximate", "text"),
    [
        (15_432, True, "1.5万多"),
        (24_000, True, "2.4万"),
        (19_050, True, "1.9万多"),
        (10_000, True, "1万"),
        (123_456, True, "12.3万多"),
        (8_123, True, "8100多"),
        (8_100, True, "8100"),
        (353, True, "350多"),
        (72, True, "70余"),
        (70, True, "70"),
        (7, True, "7"),
        (3_876, False, "3876"),
        (15_432, False, "15432"),
    ],
)
def test_a_number_is_written_as_the_report_writes_it(value, approximate, text):
    assert report.written(value, approximate=approximate) == text


def _seed_figures() -> list[report.Figure]:
    seed = {
        "cases": 3876,
        "garbage_penalties": 353,
        "shared_bike_penalties": 471,
        "vending": 15_210,
        "posting": 24_480,
        "out_of_store": 19_002,
        "piling": 8_150,
        "ads_removed": 73,
        "difficult_reviewed": 135,
    }
    return report._figures_of(seed)


def test_the_sentence_reads_as_the_report_with_the_real_numbers():
    assert report.sentence(_seed_figures()) == (
        "全区办理行政执法案件3876宗；办理垃圾分类行政处罚案件353宗；办理共享单车行政处罚案件"
        "471宗；清理整治各类违法乱摆卖1.5万多宗，清理“三乱”2.4万多宗，查处违法超门线经营行为"
        "1.9万多宗，整治乱堆放8100多宗；拆除不合规户外广告70余块；审查重难点案件135宗。"
    )
    assert report.sentence(_seed_figures()[:1], area="街道001") == "街道001办理行政执法案件3876宗。"


def test_the_workbook_has_the_figures_and_the_streets(team):
    _filed(team, "GS-03")
    _decided(team, "GS-01")
    _loop_case(team.tiny.streets["002"], "04-06")
    figs = report.figures(*YEAR)

    book = load_workbook(io.BytesIO(report.export_xlsx(figs, *YEAR)))

    first, streets = book.worksheets
    rows = [r for r in first.iter_rows(values_only=True) if r and r[0]]
    assert rows[0][1] == "2024-01-01 – 2024-12-31"
    counted = {r[0]: r[2] for r in rows if isinstance(r[2], int)}
    assert counted["办理行政执法案件"] == 2
    assert counted["办理垃圾分类行政处罚案件"] == 1
    assert counted["清理整治各类违法乱摆卖"] == 1
    assert rows[-1][1] == report.sentence(figs)
    table = list(streets.iter_rows(values_only=True))
    assert table[0][:4] == (
        table[0][0],
        "办理行政执法案件",
        "办理垃圾分类行政处罚案件",
        table[0][3],
    )
    by_name = {r[0]: r[1:] for r in table[1:]}
    assert by_name["街道001"][:3] == (2, 1, 0)
    assert by_name["街道002"][3] == 1
    assert table[-1][1:4] == (2, 1, 0)


def test_the_command_prints_the_figures_and_the_sentence_and_writes_the_workbook(team, tmp_path):
    _on_the_spot(team, "SR-VEND")
    _loop_case(team.street, "04-06")
    out, target = io.StringIO(), tmp_path / "figures.xlsx"

    call_command(
        "enforcement_figures",
        "--from=2024-01-01",
        "--to=2024-12-31",
        "--unit=440303001",
        f"--xlsx={target}",
        stdout=out,
    )

    text = out.getvalue()
    assert "街道001办理行政执法案件1宗；" in text
    assert "清理整治各类违法乱摆卖2宗" in text
    book = load_workbook(target)
    assert [r[0] for r in book.worksheets[1].iter_rows(values_only=True)][1:] == ["街道001", "合计"]


def test_the_command_refuses_a_bad_date_an_unknown_unit_and_a_reversed_period(team):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("enforcement_figures", "--from=2024-13-01", "--to=2024-12-31")
    with pytest.raises(CommandError, match="999"):
        call_command("enforcement_figures", "--from=2024-01-01", "--to=2024-12-31", "--unit=999")
    with pytest.raises(CommandError, match="end"):
        call_command("enforcement_figures", "--from=2024-12-31", "--to=2024-01-01")
