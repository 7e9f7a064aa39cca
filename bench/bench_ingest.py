"""Device-message ingestion end to end (issue 5, "Done when"), on SQLite and on PostgreSQL:

(a) the raw limit: the same record rows inserted straight into ``devices_record``
    (``executemany`` on SQLite, ``COPY`` on PostgreSQL), nothing else;
(b) HTTP: ``cityloop serve`` (gunicorn, 2 workers) and concurrent clients posting NDJSON bodies
    of 20 and of 100 messages: gateway messages (100 disposal records each) and single-record
    messages, from 26,000 carded households; records/s from the first request until the last
    response, then the stored records are counted (zero loss);
(c) MQTT: a Mosquitto of our own (own port and configuration: ``set_tcp_nodelay``, raised
    queues), ``mosquitto_pub`` publishers at QoS 1 with the device token as user property, and
    ``cityloop ingest_mqtt`` workers (1, then 2 sharing the stream); records/s until the database
    holds every record;
(d) memory: the MQTT worker's peak RSS over a stream of 1,000,000 records (SQLite run), with
    its RSS at 25 % of the stream beside the end, to show it is flat.

PostgreSQL runs in a fresh database ``cityloop_bench_ingest`` on ``CITYLOOP_BENCH_PG`` (default
``postgres://postgres@127.0.0.1:5432``); if the server does not answer, the benchmark fails (a figure that cannot be measured is not
skipped).
Progress goes to stderr; figures to stdout, one per line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
CITYLOOP = str(Path(sys.executable).parent / "cityloop")
PG_SERVER = os.environ.get("CITYLOOP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "cityloop_bench_ingest"

POINTS = 20  # collection points, one station gateway (RFID reader + scale) each
HOUSEHOLDS = 26_000  # as many carded households as the demo district
GATEWAY_RECORDS = 100  # records per gateway message
HTTP_RECORDS = 300_000  # per HTTP run: several seconds, so that the workers' warm-up weighs little
# Records per MQTT run: long enough that the start and the last batch's wait (up to 0.2 s) are
# a small part of it; the SQLite run with 1 worker also gives the worker's memory over them.
MQTT_RECORDS = 1_000_000
CLIENTS = 4
REQUEST_SIZES = (20, 100)  # messages per HTTP request: small and large gateway uploads
GOAL = 50_000
SERVE_OPTIONS = ["--workers", "2", "--threads", "1", "--no-sweeper"]


def say(text: str) -> None:
    print(f"  [ingest] {text}", file=sys.stderr, flush=True)


# --- in the Django process (subcommands) ------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    import django

    django.setup()


def cmd_setup() -> None:
    """A district with POINTS collection points, a gateway each and HOUSEHOLDS carded
    households; prints the devices (code, token) as JSON."""
    _django()
    import shapely
    from django.db import transaction

    from cityloop.devices.choices import DeviceKind
    from cityloop.devices.services import device_create
    from cityloop.geo.geojson import grids_import
    from cityloop.geo.models import Grid
    from cityloop.geo.services import boundary_save
    from cityloop.org.choices import UnitKind
    from cityloop.org.services import unit_create
    from cityloop.sorting.choices import PointKind, WasteType
    from cityloop.sorting.models import Bin, CollectionPoint, Household, HouseholdCard

    box = shapely.box(114.10, 22.54, 114.12, 22.56)
    with transaction.atomic():
        district = unit_create(kind=UnitKind.DISTRICT, name="罗湖区", code="440303")
        street = unit_create(kind=UnitKind.STREET, name="街道", code="440303001", parent=district)
        community = unit_create(
            kind=UnitKind.COMMUNITY, name="社区", code="440303001001", parent=street
        )
        for unit in (district, street, community):
            boundary_save(unit=unit, shape=box)
        feature = {
            "type": "Feature",
            "properties": {"code": "440303001001001"},
            "geometry": json.loads(shapely.to_geojson(box)),
        }
        report = grids_import(data={"type": "FeatureCollection", "features": [feature]})
        if not report.ok:
            raise RuntimeError([str(p) for p in report.problems])
        grid = Grid.objects.get()
        devices = []
        for p in range(POINTS):
            point = CollectionPoint.objects.create(
                code=f"P-{p:03d}",
                name=f"垃圾厢房{p}",
                kind=PointKind.MULTI_SORT_ROOM,
                community=community,
                grid=grid,
                lon=114.11,
                lat=22.55,
            )
            for waste in WasteType.values:
                Bin.objects.create(
                    point=point, waste_type=waste, capacity_litres=240, rfid_tag=f"B-{p}-{waste}"
                )
            device, token = device_create(
                code=f"GW-{p:03d}", kind=DeviceKind.RFID_READER, point=point
            )
            devices.append({"code": device.code, "token": token, "id": device.pk})
        households = Household.objects.bulk_create(
            Household(code=f"H{h:06d}", community=community) for h in range(HOUSEHOLDS)
        )
        HouseholdCard.objects.bulk_create(
            HouseholdCard(household=h, card_id=f"C{h.code}") for h in households
        )
    print(json.dumps(devices))


def cmd_raw(path: str) -> None:
    """Insert the records of the messages in ``path`` straight into devices_record, 3 times;
    prints the median rows/s."""
    _django()
    from django.db import connection, transaction
    from django.utils import timezone

    from cityloop.devices.models import Record
    from cityloop.sorting.models import HouseholdCard

    data = json.loads(Path(path).read_text())
    ids = {d["code"]: d["id"] for d in data["devices"]}
    points = dict(
        __import__("cityloop.devices.models", fromlist=["Device"])
        .Device.objects.values_list("pk", "point_id")
        .iterator()
    )
    cards = dict(HouseholdCard.objects.values_list("card_id", "household_id"))
    now = timezone.now()
    pg = connection.vendor == "postgresql"
    rows = []
    # As the pipeline stores them: on SQLite a household's records unfiled (filed in arrears).
    for code, message in data["messages"]:
        device = ids[code]
        items = message.get("records") or [message["record"]]
        for seq, item in enumerate(items):
            moment = datetime.fromisoformat(item["time"])
            when = moment if pg else str(moment.astimezone(UTC).replace(tzinfo=None))
            rows.append(
                (
                    device,
                    f"raw-{message['id']}",
                    seq,
                    "disposal",
                    when,
                    timezone.localtime(moment).date().isoformat(),
                    points[device],
                    item["bin_type"],
                    float(item["weight_kg"]),
                    item["is_correct"],
                    item["card"],
                    cards.get(item["card"]),
                    json.dumps(item, ensure_ascii=False),
                    now if pg else str(now.astimezone(UTC).replace(tzinfo=None)),
                    pg or cards.get(item["card"]) is None,
                )
            )
    columns = (
        "device_id, message_id, seq, kind, occurred_at, day, point_id, waste_type, weight_kg,"
        " is_correct, card_id, household_id, payload, received_at, filed"
    )

    def insert(table: str) -> float:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if pg:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * 15)})"  # noqa: S608
                for start in range(0, len(rows), 10_000):
                    cursor.cursor.executemany(sql, rows[start : start + 10_000])
        return len(rows) / (time.perf_counter() - started)

    rates = []
    for _run in range(3):
        rates.append(insert("devices_record"))
        Record.objects.filter(message_id__startswith="raw-").delete()
    # The same rows into a table like devices_record with only its primary key: what its
    # secondary indexes cost (docs/decisions/0022-ingest-bulk-sql.md).
    with connection.cursor() as cursor:
        key = "bigserial" if pg else "integer"
        cursor.execute(
            f"CREATE TABLE bench_plain (id {key} PRIMARY KEY, device_id bigint, message_id"
            " varchar(64), seq integer, kind varchar(20), occurred_at timestamp with time zone,"
            " day date, point_id bigint, waste_type varchar(20), weight_kg double precision, is_correct"
            " boolean, card_id varchar(64), household_id bigint, payload text,"
            " received_at timestamp with time zone, filed boolean)"
        )
    plain = []
    for _run in range(3):
        plain.append(insert("bench_plain"))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_plain")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plain")
    result = {"rate": statistics.median(rates), "plain": statistics.median(plain)}
    print(json.dumps({**result, "rows": len(rows)}))


# --- the orchestrator -------------------------------------------------------------------------


def make_messages(devices: list[dict], records: int, tag: str) -> list[tuple[str, dict]]:
    """``records`` disposal records in (device code, message): 95 % in gateway messages of
    GATEWAY_RECORDS, 5 % single-record messages. Like a live stream, times advance through the
    ten minutes before now with up to two minutes of jitter (a gateway collects, then sends)."""
    rng = random.Random(records)
    now = datetime.now(UTC)
    start, step = now - timedelta(minutes=12), 600 / records
    types = ["kitchen", "kitchen", "recyclable", "other", "hazardous"]
    singles = records // 20
    out, n = [], 0

    def record() -> dict:
        moment = start + timedelta(seconds=n * step + rng.uniform(0, 120))
        return {
            "time": moment.astimezone().isoformat(timespec="seconds"),
            "card": f"CH{rng.randrange(HOUSEHOLDS):06d}",
            "bin_type": rng.choice(types),
            "weight_kg": round(rng.uniform(0.2, 4.0), 2),
            "is_correct": rng.random() < 0.9,
        }

    batched = 0
    while n < records:
        device = devices[len(out) % len(devices)]["code"]
        # one gateway message, then single-record messages in proportion
        if batched < records - singles and (n - batched) * 19 >= batched:
            size = min(GATEWAY_RECORDS, records - singles - batched)
            items = []
            for _ in range(size):
                items.append(record())
                n += 1
            batched += size
            message = {"id": f"{tag}-{len(out)}", "kind": "disposal", "records": items}
        else:
            message = {"id": f"{tag}-{len(out)}", "kind": "disposal", "record": record()}
            n += 1
        out.append((device, message))
    return out


def _run(env: dict, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def bench_http(
    env: dict, devices: list[dict], messages: list, expected: int, per_request: int
) -> dict:
    tokens = {d["code"]: d["token"] for d in devices}
    by_device: dict[str, list] = {}
    for code, message in messages:
        by_device.setdefault(code, []).append(message)
    bodies = []
    for code, items in by_device.items():
        for start in range(0, len(items), per_request):
            chunk = items[start : start + per_request]
            body = "\n".join(json.dumps(m, ensure_ascii=False) for m in chunk).encode()
            bodies.append((tokens[code], body))
    random.Random(1).shuffle(bodies)
    port = _free_port()
    server = subprocess.Popen(
        [CITYLOOP, "serve", "--bind", f"127.0.0.1:{port}", *SERVE_OPTIONS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    failures, answered = [], [0]
    try:
        _wait_for(lambda: _up(f"{base}/healthz"), 30, "the server did not start")
        lock = threading.Lock()

        def client(share: list) -> None:
            import http.client

            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for token, body in share:
                headers = {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/x-ndjson",
                }
                conn.request("POST", "/api/ingest", body, headers)
                response = conn.getresponse()
                data = json.loads(response.read())
                with lock:
                    if response.status != 200 or data.get("quarantined"):
                        failures.append((response.status, str(data)[:200]))
                    else:
                        answered[0] += data["records"]
            conn.close()

        threads = [
            threading.Thread(target=client, args=(bodies[i::CLIENTS],)) for i in range(CLIENTS)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"rate": expected / took, "seconds": took, "failures": failures, "acked": answered[0]}


def _up(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)  # noqa: S310 (our own server)
        return True
    except OSError:
        return False


MOSQUITTO_CONF = """
listener {port} 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
max_queued_messages 1000000
max_queued_bytes 0
max_inflight_messages 0
persistence false
log_dest none
"""


def start_mosquitto(var: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    conf = var / "mosquitto.conf"
    conf.write_text(MOSQUITTO_CONF.format(port=port))
    broker = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_for(lambda: _connects(port), 10, "mosquitto did not start")
    return broker, port


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _rss(pid: int) -> tuple[float, float]:
    """(current, peak) RSS in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def bench_mqtt(
    env: dict, devices: list[dict], messages: list, expected: int, *, port: int, workers: int
) -> dict:
    """Publish ``messages`` with mosquitto_pub (one process per device, QoS 1) to ``workers``
    ingest workers and wait until the database holds ``base + expected`` records."""
    base, base_id = _count_fast(env), _count_fast(env, newest=True)
    group = f"bench{os.getpid()}{random.randrange(10**6)}"
    procs = []
    broker = ["--port", str(port), "--group", group, "--progress-every", "3600"]
    for w in range(workers):
        procs.append(
            subprocess.Popen(
                [CITYLOOP, "ingest_mqtt", *broker, "--client-id", f"{group}-w{w}"],
                env={**env, "PYTHONUNBUFFERED": "1"},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    for proc in procs:
        for line in proc.stdout:
            if "subscribed" in line:
                break
    tokens = {d["code"]: d["token"] for d in devices}
    by_device: dict[str, list[bytes]] = {}
    for code, message in messages:
        by_device.setdefault(code, []).append(json.dumps(message, ensure_ascii=False))
    samples: list[tuple[int, float, float]] = []  # (records stored, rss, peak) of worker 0
    started = time.perf_counter()
    publishers = []
    publish = ["mosquitto_pub", "-p", str(port), "-V", "5", "-q", "1", "-l"]
    token_property = ["-D", "publish", "user-property", "token"]
    for code, lines in by_device.items():
        pub = subprocess.Popen(
            [*publish, "-t", f"cityloop/{code}/disposal", *token_property, tokens[code]],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        publishers.append((pub, "\n".join(lines) + "\n"))
    feeders = [
        threading.Thread(target=p.communicate, args=(text.encode(),)) for p, text in publishers
    ]
    for f in feeders:
        f.start()
    stored = 0
    deadline = time.monotonic() + 600
    try:
        while stored < expected and time.monotonic() < deadline:
            time.sleep(0.25)
            # The newest id is cheap to read; the records are counted once it says all are in
            # (a rolled-back batch may leave gaps in ids, never the other way round).
            stored = _count_fast(env, newest=True) - base_id
            if stored >= expected:
                stored = _count_fast(env) - base
            samples.append((stored, *_rss(procs[0].pid)))
        took = time.perf_counter() - started
        stored = _count_fast(env) - base  # exact, also when the deadline ended the wait
        for f in feeders:
            f.join()
    finally:
        for proc in procs:
            proc.terminate()
        outputs = [proc.communicate(timeout=60)[0] for proc in procs]
    return {
        "rate": expected / took,
        "seconds": took,
        "stored": stored,
        "samples": samples,
        "outputs": outputs,
        "exit": [p.returncode for p in procs],
    }


def _count_fast(env: dict, *, newest: bool = False) -> int:
    """COUNT(*) of devices_record (or its largest id) without starting Django (sqlite3 / psql)."""
    url = env.get("CITYLOOP_DATABASE_URL", "")
    sql = f"SELECT {'coalesce(max(id), 0)' if newest else 'count(*)'} FROM devices_record"  # noqa: S608
    if url.startswith("postgres"):
        out = subprocess.run(
            ["psql", url, "-Atc", sql],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(out.strip())
    import sqlite3

    path = Path(env["CITYLOOP_VAR_DIR"]) / "cityloop.sqlite3"
    with sqlite3.connect(path, timeout=30) as db:
        return db.execute(sql).fetchone()[0]


def _pg_up() -> bool:
    return (
        shutil.which("psql") is not None
        and subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-Atc", "SELECT 1"],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )


def run_database(label: str, env: dict, var: Path, *, memory: bool) -> None:
    say(f"{label}: migrating and building the bench district")
    subprocess.run([CITYLOOP, "migrate", "-v0"], env=env, check=True)
    devices = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--setup"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    # (a) the raw limit for the HTTP stream's rows
    http_messages = make_messages(devices, HTTP_RECORDS, "h")
    data = var / "http.json"
    data.write_text(json.dumps({"devices": devices, "messages": http_messages}))
    say(f"{label}: raw insert of {HTTP_RECORDS:,} records (3 runs)")
    limits = _run(env, "--raw", str(data))
    raw, plain = limits["rate"], limits["plain"]
    what = "executemany" if label == "SQLite" else "COPY"
    print(
        f"raw insert into devices_record ({label}, {what}): {raw:,.0f} rows/s vs the same rows"
        f" into a table with only a primary key {plain:,.0f} rows/s, ratio {raw / plain:.2f}"
    )
    # (b) HTTP, small then large requests (new messages each time)
    for per_request in REQUEST_SIZES:
        first = per_request == REQUEST_SIZES[0]  # the raw limit's rows, then new messages
        messages = (
            http_messages if first else make_messages(devices, HTTP_RECORDS, f"h{per_request}")
        )
        say(f"{label}: HTTP, {HTTP_RECORDS:,} records, {per_request} messages a request")
        base = _count_fast(env)
        http = bench_http(env, devices, messages, HTTP_RECORDS, per_request)
        stored = _count_fast(env) - base
        loss = HTTP_RECORDS - stored
        print(
            f"ingest through HTTP ({label}, 2 workers, {CLIENTS} clients, {per_request} messages"
            f" a request): {http['rate']:,.0f} records/s vs raw {what} {raw:,.0f} rows/s, ratio"
            f" {http['rate'] / raw:.2f} (goal {GOAL:,}; {stored:,} of {HTTP_RECORDS:,} stored,"
            f" loss {loss}, {len(http['failures'])} failed requests)"
        )
    # (c) MQTT: 1 worker, then 2 workers sharing the stream (on SQLite they take turns to
    # write: docs/decisions/0032-sqlite-writer-turn.md), and (d) memory over a long stream
    # (SQLite, 1 worker)
    broker, port = start_mosquitto(var)
    try:
        for workers in (1, 2):
            long = memory and workers == 1
            count = MQTT_RECORDS
            messages = make_messages(devices, count, f"m{workers}")
            say(f"{label}: MQTT, {count:,} records, {workers} worker(s)")
            mqtt = bench_mqtt(env, devices, messages, count, port=port, workers=workers)
            loss = count - mqtt["stored"]
            print(
                f"ingest through MQTT ({label}, {workers} worker(s), QoS 1): {mqtt['rate']:,.0f}"
                f" records/s vs raw {what} {raw:,.0f} rows/s, ratio {mqtt['rate'] / raw:.2f}"
                f" (goal {GOAL:,}; {mqtt['stored']:,} of {count:,} stored, loss {loss},"
                f" worker exit {mqtt['exit']})"
            )
            if long:
                samples = mqtt["samples"]
                quarter = next((s for s in samples if s[0] >= count // 4), samples[-1])
                peak = max(s[2] for s in samples)
                print(
                    f"ingest worker RSS over {count:,} records ({label}): {quarter[1]:,.0f} MB"
                    f" at 25 % vs {samples[-1][1]:,.0f} MB at 100 % (peak {peak:,.0f} MB,"
                    f" goal 300 MB), ratio {samples[-1][1] / quarter[1]:.2f}"
                )
    finally:
        broker.terminate()
        broker.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.setup:
        cmd_setup()
        return 0
    if args.raw:
        cmd_raw(args.raw)
        return 0
    missing = [tool for tool in ("mosquitto", "mosquitto_pub") if shutil.which(tool) is None]
    if missing:
        print(
            f"ingest: FAILED, cannot run: {', '.join(missing)} not installed (apt-get install mosquitto-clients)"
        )
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        base = {**os.environ, "DJANGO_SETTINGS_MODULE": "cityloop.settings"}
        if args.only != "postgresql":
            env = {**base, "CITYLOOP_VAR_DIR": str(var)}
            env.pop("CITYLOOP_DATABASE_URL", None)
            run_database("SQLite", env, var, memory=True)
        if args.only != "sqlite":
            if not _pg_up():
                print(f"ingest into PostgreSQL: FAILED, cannot run: no server at {PG_SERVER}")
                return 1
            else:
                for sql in (f"DROP DATABASE IF EXISTS {PG_NAME}", f"CREATE DATABASE {PG_NAME}"):
                    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qAtc", sql], check=True)
                env = {
                    **base,
                    "CITYLOOP_VAR_DIR": str(var),
                    "CITYLOOP_DATABASE_URL": f"{PG_SERVER}/{PG_NAME}",
                }
                run_database("PostgreSQL", env, var, memory=False)
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
