"""``cityloop serve``: serve the application with gunicorn (static files through WhiteNoise),
with the deadline sweeper beside it.

Unless ``--no-sweeper`` is given, serve starts ``cityloop sweep --every 60`` as a child process
and stops it on exit, so that clocks turn, people are told and cases escalate while the site
runs (``make run``). A deployment that runs its own sweepers or task workers passes
``--no-sweeper`` (docs/deadlines.md).
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management.base import BaseCommand

SWEEP_EVERY = 60


def sweeper_argv(every: float) -> list[str]:
    """The sweeper's command line: this Python, ``cityloop sweep --every``, tied to us."""
    return [
        sys.executable,
        "-m",
        "cityloop.cli",
        "sweep",
        "--every",
        f"{every:g}",
        "--exit-with-parent",
    ]


def sweeper_start(*, every: float) -> subprocess.Popen:
    """Start the sweeper as a child process (it stops by itself if we die without stopping it)."""
    return subprocess.Popen(sweeper_argv(every))  # noqa: S603 (our own interpreter and command)


def sweeper_stop(*, process: subprocess.Popen | None, owner: int, timeout: float = 10) -> None:
    """Stop the sweeper: SIGTERM, then SIGKILL if it has not gone within ``timeout``.

    Only the process that started it (``owner``) does: gunicorn's workers are forks of the
    master and leave through the same ``finally`` when they exit.
    """
    if process is None or os.getpid() != owner or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Command(BaseCommand):
    help = "Serve CityLoop over HTTP with gunicorn. 用 gunicorn 提供 HTTP 服务。"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")
        parser.add_argument(
            "--no-sweeper",
            action="store_true",
            help="do not start the deadline sweeper (`cityloop sweep --every`) beside the server",
        )
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=SWEEP_EVERY,
            metavar="SECONDS",
            help="how often the sweeper runs (default: %(default)s)",
        )

    def handle(self, *args, bind: str, workers: int, threads: int, **options):
        from gunicorn.app.base import BaseApplication

        from cityloop.wsgi import application

        class _App(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", bind)
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("accesslog", "-")

            def load(self):
                return application

        sweeper, master = None, os.getpid()
        if not options["no_sweeper"]:
            sweeper = sweeper_start(every=options["sweep_every"])
            self.stdout.write(f"deadline sweeper started (pid {sweeper.pid})")
        self.stdout.write(f"CityLoop serving on http://{bind}/  (Ctrl-C to stop)")
        try:
            _App().run()
        finally:
            sweeper_stop(process=sweeper, owner=master)
