"""Demo district build, the demo with a year of history and of garbage sorting (wall time,
peak RSS, and RSS a quarter of the way through the year against the end: memory must not grow
with the cases; the sorting year's own share of the time), and the memory of a serving
process."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CITYLOOP = str(Path(sys.executable).parent / "cityloop")
REQUESTS = 300


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, check=True)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _command_with_peak_rss(command: str, env: dict, *args: str) -> tuple[float, float]:
    """Run a management command in a fresh process: (wall seconds, peak RSS in MB)."""
    code = (
        "import resource, sys, django; django.setup();"
        "from django.core.management import call_command;"
        f"call_command({command!r}, *{args!r}, stdout=open('/dev/null', 'w'));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    started = time.perf_counter()
    result = _run([sys.executable, "-c", code], env)
    return time.perf_counter() - started, int(result.stdout.split()[-1]) / 1024


def bench_build(env: dict) -> None:
    _run([CITYLOOP, "migrate", "--noinput", "-v0"], env)
    took, peak = _command_with_peak_rss("demo", env, "--no-history")
    check_took, check_peak = _command_with_peak_rss("check", env)
    print(
        f"demo district build: {took:.1f} s wall vs an empty `cityloop check` {check_took:.1f} s, "
        f"ratio {took / check_took:.1f}"
    )
    print(
        f"demo district build peak RSS: {peak:,.0f} MB vs `cityloop check` {check_peak:,.0f} MB, "
        f"ratio {peak / check_peak:.1f}"
    )


# Runs `cityloop demo` (district and a year of history) in a fresh process, noting the RSS
# each time the history's progress line is written: (share of the days done, RSS in MB).
_DEMO_WITH_MEMORY = """
import json, resource, sys, time, django
from pathlib import Path
django.setup()
from django.core.management import call_command

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

class Recording:
    def __init__(self):
        self.samples, self.last, self.sorting = [], "", ""
    def write(self, text):
        for line in text.splitlines():
            if "[history days]" in line:
                done, total = line.split("]")[1].split()[0].replace(",", "").split("/")
                self.samples.append((int(done) / int(total), rss()))
            elif line.startswith("demo history:"):
                self.last = line
            elif line.startswith("demo sorting:"):
                self.sorting = line
    def flush(self):
        pass

out = Recording()
started = time.perf_counter()
call_command("demo", stdout=out)
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"took": took, "peak": peak, "samples": out.samples, "summary": out.last,
                  "sorting": out.sorting}))
"""
GOAL_SECONDS, GOAL_MB = 180, 1024  # the demo year: under 3 minutes and under 1 GB


def bench_history(env: dict) -> None:
    """The whole `cityloop demo` on a fresh database: the district and a year of cases."""
    _run([CITYLOOP, "migrate", "--noinput", "-v0"], env)
    result = json.loads(_run([sys.executable, "-c", _DEMO_WITH_MEMORY], env).stdout)
    summary = result["summary"]
    cases = re.search(r"([0-9,]+) cases", summary).group(1)
    entries = re.search(r"([0-9,]+) history entries", summary).group(1)
    took, peak = result["took"], result["peak"]
    print(
        f"demo with a year of history ({cases} cases, {entries} history entries): "
        f"{took:.1f} s wall vs the goal {GOAL_SECONDS} s, ratio {took / GOAL_SECONDS:.2f}"
    )
    print(
        f"demo with a year of history peak RSS: {peak:,.0f} MB vs the goal {GOAL_MB:,} MB, "
        f"ratio {peak / GOAL_MB:.2f}"
    )
    samples = result["samples"]
    quarter = min(samples, key=lambda s: abs(s[0] - 0.25))
    end = samples[-1]
    print(
        f"demo history RSS at the end ({end[0]:.0%} of the days): {end[1]:,.0f} MB vs at "
        f"{quarter[0]:.0%} of the days {quarter[1]:,.0f} MB, ratio {end[1] / quarter[1]:.2f}"
    )
    print(f"demo history rates: {summary.split('; ', 1)[1]}")
    sorting = result["sorting"]  # the garbage-sorting year (demo/sorting), part of the run
    if sorting:
        seconds = float(re.search(r"in ([0-9.]+) s$", sorting).group(1))
        rows = re.search(r"\(([0-9,]+) rows\)", sorting).group(1)
        records = re.search(r"\(([0-9,]+) records\)", sorting)
        raw = f", {records.group(1)} raw records through the pipeline" if records else ""
        print(
            f"demo garbage-sorting year ({rows} roll-up rows{raw}): {seconds:.1f} s of the "
            f"demo's {took:.1f} s, ratio {seconds / took:.2f}"
        )


def bench_serve(env: dict) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [CITYLOOP, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        pages = ["/healthz", "/version", "/admin/login/", "/api/docs", "/api/openapi.json"]
        for i in range(REQUESTS):
            urllib.request.urlopen(base + pages[i % len(pages)], timeout=10).read()  # noqa: S310
        workers = _children(server.pid)
        worker_mb = max(_peak_rss_mb(p) for p in workers)
        bare = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); import resource;"
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        bare_mb = int(bare.stdout) / 1024
        print(
            f"serving worker peak RSS after {REQUESTS} requests: {worker_mb:,.0f} MB "
            f"vs a bare django.setup() process {bare_mb:,.0f} MB, ratio {worker_mb / bare_mb:.1f}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "CITYLOOP_VAR_DIR": var}
        env.pop("CITYLOOP_DATABASE_URL", None)
        bench_build(env)
        bench_serve(env)
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "CITYLOOP_VAR_DIR": var}
        env.pop("CITYLOOP_DATABASE_URL", None)
        bench_history(env)


if __name__ == "__main__":
    main()
