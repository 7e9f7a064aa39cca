"""Case intake through the API under load (wrk on loopback) beside a bare Django JSON endpoint
(/version) on the same server in the same run; a paced run near 200 requests/s for the
latency goal; and the web worker's peak RSS after the load.

Needs wrk (Debian package `wrk`); the script says so and stops if it is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CITYLOOP = str(Path(sys.executable).parent / "cityloop")
DURATION = "10s"

SETUP = """
import json, sys, django; django.setup()
import numpy as np, shapely
from cityloop.core.progress import Progress
from cityloop.demo.builder import build_demo, demo_exists
from cityloop.geo.index import get_index
from cityloop.org.models import User
from cityloop.org.tokens import api_token_create
from cityloop.categories.models import MinorCategory
if not demo_exists():
    build_demo(progress=Progress(sys.stderr, interval=5))
index = get_index()
rng = np.random.default_rng(5)
w, s, e, n = shapely.total_bounds(index.grid_shapes)
pts = rng.uniform([w, s], [e, n], (5000, 2))
pts = pts[[len(index.grid_tree.query(shapely.Point(x, y), predicate="intersects")) > 0 for x, y in pts]][:500]
_, key = api_token_create(user=User.objects.get(username="district-inspector"), name="bench")
category = MinorCategory.objects.get(major__kind="event", major__code="01", code="36").pk
print(json.dumps({"key": key, "category": category, "points": pts.tolist()}))
"""

LUA = """
local points = {%(points)s}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
request = function()
  i = i + 1
  local p = points[(i %% #points) + 1]
  local body = string.format('{"description":"bench 路面堆放杂物 %%d","lon":%%f,"lat":%%f,"category":%(category)d}', i, p[1], p[2])
  return wrk.format(nil, "/api/cases/", nil, body)
end
%(delay)s
"""


def _wrk(args: list[str]) -> dict:
    out = subprocess.run(["wrk", *args], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {}
    for pct in ("50", "99"):
        m = re.search(rf"\s{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out)
        value = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
        lat[pct] = value
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": rate,
        "p50": lat["50"],
        "p99": lat["99"],
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    if shutil.which("wrk") is None:
        print("intake: FAILED, cannot run: wrk is not installed (apt-get install wrk)")
        return 1
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "CITYLOOP_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "cityloop.settings"}
        env.pop("CITYLOOP_DATABASE_URL", None)
        subprocess.run([CITYLOOP, "migrate", "-v0"], env=env, check=True)
        print("  [intake] building the demo district …", file=sys.stderr, flush=True)
        setup = json.loads(
            subprocess.run(
                [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        return _run(env, setup, Path(var))


def _run(env: dict, setup: dict, var: Path) -> int:
    points = ",".join(f"{{{x:.6f},{y:.6f}}}" for x, y in setup["points"])
    script = var / "intake.lua"
    paced = var / "paced.lua"
    values = {"points": points, "key": setup["key"], "category": setup["category"]}
    script.write_text(LUA % {**values, "delay": ""})
    paced.write_text(LUA % {**values, "delay": "function delay() return 35 end"})
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [
            CITYLOOP,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "1",
            "--no-sweeper",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        _wrk(["-t1", "-c2", "-d2s", "--latency", f"{base}/version"])  # warm both workers
        bare = _wrk(["-t2", "-c8", f"-d{DURATION}", "--latency", f"{base}/version"])
        intake = _wrk(["-t2", "-c8", f"-d{DURATION}", "--latency", "-s", str(script), base])
        steady = _wrk(["-t2", "-c10", f"-d{DURATION}", "--latency", "-s", str(paced), base])
        workers = [
            int(p)
            for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ]
        worker_mb = max(_peak_rss_mb(p) for p in workers if Path(f"/proc/{p}/status").exists())
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(
        f"case intake through the API (SQLite, 2 workers, 8 connections): {intake['rate']:,.0f} cases/s vs bare Django JSON endpoint {bare['rate']:,.0f} requests/s, ratio {intake['rate'] / bare['rate']:.2f}"
    )
    print(
        f"case intake latency: p50 {intake['p50']:.1f} ms, p99 {intake['p99']:.1f} ms vs bare endpoint p50 {bare['p50']:.1f} ms, p99 {bare['p99']:.1f} ms, ratio {intake['p99'] / bare['p99']:.1f}"
    )
    print(
        f"case intake paced at {steady['rate']:,.0f} requests/s: p99 {steady['p99']:.1f} ms vs goal 50 ms, ratio {steady['p99'] / 50:.2f} ({steady['errors'] + intake['errors']} non-2xx)"
    )
    print(
        f"web worker peak RSS after the intake load: {worker_mb:,.0f} MB vs goal 250 MB, ratio {worker_mb / 250:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
