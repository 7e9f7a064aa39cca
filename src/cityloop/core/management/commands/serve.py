"""``cityloop serve``: serve the application with gunicorn (static files through WhiteNoise)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve CityLoop over HTTP with gunicorn. 用 gunicorn 提供 HTTP 服务。"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")

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

        self.stdout.write(f"CityLoop serving on http://{bind}/  (Ctrl-C to stop)")
        _App().run()
