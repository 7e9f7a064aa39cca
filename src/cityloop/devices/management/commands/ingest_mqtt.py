"""``cityloop ingest_mqtt``: the MQTT door of the ingestion
pipeline (docs/devices.md, MQTT). Exits 0 on SIGTERM/SIGINT after storing and acknowledging what
it holds; exits non-zero when the database keeps failing (nothing unstored is acknowledged)."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError

from cityloop.devices import mqtt


class Command(BaseCommand):
    help = (
        "Consume device messages from MQTT (shared subscription $share/<group>/cityloop/+/+), "
        "store them in batches and acknowledge each after its batch is committed."
    )

    def add_arguments(self, parser):
        host, port = mqtt.broker_address()
        parser.add_argument(
            "--host",
            default=host,
            help="broker host (env CITYLOOP_MQTT_URL: mqtt://[user:password@]host:port)",
        )
        parser.add_argument("--port", type=int, default=port, help="broker port")
        parser.add_argument("--group", default="cityloop", help="shared-subscription group")
        parser.add_argument(
            "--topic-root",
            default=mqtt.TOPIC_ROOT,
            help="first topic level(s): <root>/<device code>/<kind> (default cityloop)",
        )
        parser.add_argument(
            "--client-id",
            default="",
            help="MQTT client id, stable across restarts (default: from group and host name)",
        )
        parser.add_argument(
            "--alink",
            action="store_true",
            help=(
                "also consume Alibaba Cloud Alink property posts "
                "(/sys/<productKey>/<device code>/thing/event/property/post); these carry no "
                "token: only with a broker that enforces per-device topic ACLs "
                "(docs/devices.md, Vendor formats)"
            ),
        )
        parser.add_argument(
            "--alink-root", default="/sys", help="first topic level of Alink topics (default /sys)"
        )
        parser.add_argument("--batch", type=int, default=1000, help="messages per batch")
        parser.add_argument(
            "--max-wait-ms", type=int, default=200, help="longest wait to fill a batch"
        )
        parser.add_argument(
            "--max-batch-kb",
            type=int,
            default=mqtt.MAX_BATCH_BYTES // 1024,
            help="payload kilobytes per batch (a batch ends at --batch messages or this)",
        )
        parser.add_argument(
            "--progress-every", type=float, default=5.0, help="seconds between progress lines"
        )
        parser.add_argument(
            "--subscribe-timeout",
            type=float,
            default=30.0,
            help="exit non-zero when no subscription is confirmed within this many seconds",
        )
        parser.add_argument(
            "--stall-timeout",
            type=float,
            default=60.0,
            help="exit non-zero after this many seconds without a broker connection",
        )

    def handle(self, *args, **options):
        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        worker = mqtt.Worker(
            host=options["host"],
            port=options["port"],
            group=options["group"],
            client_id=options["client_id"] or mqtt.default_client_id(options["group"]),
            batch=max(1, options["batch"]),
            max_wait_ms=max(1, options["max_wait_ms"]),
            progress=say,
            progress_every=options["progress_every"],
            root=options["topic_root"],
            alink_root=options["alink_root"] if options["alink"] else None,
            credentials=mqtt.broker_credentials(),
            max_batch_bytes=max(1, options["max_batch_kb"]) * 1024,
            subscribe_timeout=options["subscribe_timeout"],
            stall_timeout=options["stall_timeout"],
        )
        signal.signal(signal.SIGTERM, worker.stop)
        signal.signal(signal.SIGINT, worker.stop)
        try:
            totals = worker.run()
        except ConnectionError as error:  # a supervisor restarts the worker
            raise CommandError(f"mqtt: {error}") from error
        say(f"mqtt: done {totals.line()}")
