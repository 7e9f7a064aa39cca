"""``cityloop demo``: build the demo district (Luohu), add a year of cases, print how to log in."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cityloop.core.progress import Progress
from cityloop.demo.builder import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    build_demo,
    delete_demo,
    demo_exists,
)
from cityloop.demo.enforcement import (
    delete_enforcement,
    enforcement_exists,
    generate_enforcement,
)
from cityloop.demo.enforcement.staff import PREFIX as TEAM_PREFIX
from cityloop.demo.history import (
    DEFAULT_DAYS,
    HistoryUnavailable,
    delete_history,
    generate_history,
    history_exists,
)
from cityloop.demo.sorting import (
    DEFAULT_HOUSEHOLDS,
    DEFAULT_RAW_DAYS,
    delete_sorting,
    generate_sorting,
    sorting_exists,
)
from cityloop.org.models import User


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--until: expected YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Build the demo district (Luohu), a year of its cases, of its garbage sorting and of "
        "its enforcement cases. 生成演示辖区（罗湖区）及一年的案卷、垃圾分类和行政执法案件数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the existing district and every case first",
        )
        parser.add_argument(
            "--until",
            type=_day,
            metavar="YYYY-MM-DD",
            help="the history ends the day before (default: today, Asia/Shanghai)",
        )
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help="days of history (default 365)"
        )
        parser.add_argument(
            "--cases",
            type=int,
            help="cases in all (default: the yearly mix, about 95,000 a year, scaled to --days)",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="build the district only, without cases, garbage-sorting or enforcement data",
        )
        parser.add_argument(
            "--no-sorting", action="store_true", help="no garbage-sorting registries and year"
        )
        parser.add_argument(
            "--no-enforcement", action="store_true", help="no year of enforcement cases"
        )
        parser.add_argument(
            "--enforcement-cases",
            type=int,
            help="enforcement cases handled in all (default: the seed's 3876 a year, scaled)",
        )
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"registered households in all (default {DEFAULT_HOUSEHOLDS:,})",
        )
        parser.add_argument(
            "--raw-days",
            type=int,
            default=DEFAULT_RAW_DAYS,
            help=f"last days sent through the ingestion pipeline (default {DEFAULT_RAW_DAYS})",
        )

    def handle(self, *args, seed: int, reset: bool, no_history: bool, **options):
        if options["days"] < 1 or (options["cases"] is not None and options["cases"] < 0):
            raise CommandError("--days must be at least 1 and --cases not negative")
        if options["enforcement_cases"] is not None and options["enforcement_cases"] < 0:
            raise CommandError("--enforcement-cases must not be negative")
        if options["households"] < 1 or options["raw_days"] < 0:
            raise CommandError("--households must be at least 1 and --raw-days not negative")
        progress = Progress(self.stdout)
        lines = []
        if reset:
            progress.stage("deleting the existing enforcement, sorting data, cases and district")
            delete_enforcement()
            delete_sorting()
            delete_history()
            delete_demo()
        if demo_exists():
            self.stdout.write("demo district already loaded (use --reset to rebuild it)")
        else:
            summary = build_demo(seed=seed, progress=progress)
            lines.append(f"{summary.line()} in {progress.elapsed():.1f} s (seed {seed})")
        if not no_history:
            lines += self._history(seed, progress, options)
            if not options["no_sorting"]:
                lines += self._sorting(seed, progress, options)
            if not options["no_enforcement"]:
                lines += self._enforcement(seed, progress, options)
        self._logins()
        for line in lines:
            self.stdout.write(line)

    def _history(self, seed: int, progress: Progress, options) -> list[str]:
        if history_exists():
            return ["demo history: cases already loaded (use --reset to start again)"]
        try:
            summary = generate_history(
                seed=seed,
                until=options["until"],
                days=options["days"],
                cases=options["cases"],
                progress=progress,
            )
        except HistoryUnavailable as exc:
            self.stderr.write(f"demo history skipped: {exc}")
            return []
        return [summary.line()]

    def _sorting(self, seed: int, progress: Progress, options) -> list[str]:
        """After the cases: the raw days' camera alarms open cases of their own."""
        if sorting_exists():
            return ["demo sorting: already loaded (use --reset to start again)"]
        summary = generate_sorting(
            seed=seed,
            until=options["until"],
            days=options["days"],
            households=options["households"],
            raw_days=options["raw_days"],
            progress=progress,
        )
        return [summary.line()]

    def _enforcement(self, seed: int, progress: Progress, options) -> list[str]:
        """After the cases and the sorting year: clues are referred from the year's cases and
        made from the raw days' sealed evidence packages."""
        if enforcement_exists():
            return ["demo enforcement: already loaded (use --reset to start again)"]
        summary = generate_enforcement(
            seed=seed,
            until=options["until"],
            days=options["days"],
            cases=options["enforcement_cases"],
            progress=progress,
        )
        return [summary.line()]

    def _logins(self) -> None:
        users = (
            User.objects.filter(unit__isnull=False)
            .exclude(username__startswith=TEAM_PREFIX)
            .prefetch_related("role_grants")
        )
        self.stdout.write("")
        self.stdout.write("Log in at http://127.0.0.1:8000/login/  登录地址")
        self.stdout.write(
            "  district-leader → the command centre 指挥中心 · district-dispatcher → 派遣台 · "
            "shop-handler → 处置台 · district-inspector → 监督员 · admin → /admin/"
        )
        self.stdout.write(
            "  street-enforcement-officer → 执法办案 /enforcement/ (phone: /enforcement/phone/) · "
            "street-leader → 审批 /enforcement/approvals/ · district-legal-reviewer → 法制审核 "
            "/enforcement/review/ · district-leader → 执法监督 /enforcement/supervision/"
        )
        teams = User.objects.filter(username__startswith=TEAM_PREFIX).count()
        if teams:
            self.stdout.write(
                f"  each street's enforcement team 各街道执法队: {TEAM_PREFIX}<street>-<nn> "
                f"officers, {TEAM_PREFIX}<street>-leader ({teams} accounts, not listed below)"
            )
        self.stdout.write("Citizens 市民随手拍: http://127.0.0.1:8000/report/ (no account)")
        self.stdout.write(f"Every demo user's password 演示账号密码: {DEMO_PASSWORD}")
        self.stdout.write(f"  {'username':<28} {'unit':<26} roles")
        for user in users.order_by("id"):
            roles = ", ".join(sorted(g.role for g in user.role_grants.all()))
            self.stdout.write(f"  {user.username:<28} {user.unit.name:<26} {roles}")
        self.stdout.write("")
