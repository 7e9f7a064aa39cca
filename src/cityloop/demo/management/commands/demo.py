"""``cityloop demo``: build the demo district (Luohu) and print how to log in."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cityloop.core.progress import Progress
from cityloop.demo.builder import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    build_demo,
    delete_demo,
    demo_exists,
)
from cityloop.org.models import User


class Command(BaseCommand):
    help = "Build the demo district (Luohu). 生成演示辖区（罗湖区）。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing district first"
        )

    def handle(self, *args, seed: int, reset: bool, **options):
        progress = Progress(self.stdout)
        if demo_exists() and not reset:
            self.stdout.write("demo district already loaded (use --reset to rebuild it)")
            self._logins()
            return
        if reset:
            progress.stage("deleting the existing district")
            delete_demo()
        summary = build_demo(seed=seed, progress=progress)
        self._logins()
        self.stdout.write(f"{summary.line()} in {progress.elapsed():.1f} s (seed {seed})")

    def _logins(self) -> None:
        users = User.objects.filter(unit__isnull=False).prefetch_related("role_grants")
        self.stdout.write("")
        self.stdout.write("Log in at http://127.0.0.1:8000/admin/  登录地址")
        self.stdout.write(f"Every demo user's password 演示账号密码: {DEMO_PASSWORD}")
        self.stdout.write(f"  {'username':<28} {'unit':<26} roles")
        for user in users.order_by("id"):
            roles = ", ".join(sorted(g.role for g in user.role_grants.all()))
            self.stdout.write(f"  {user.username:<28} {user.unit.name:<26} {roles}")
        self.stdout.write("")
