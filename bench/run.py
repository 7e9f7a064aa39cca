"""Run the benchmarks: every ``bench/bench_<name>.py`` in its own process.

Each script prints one line per figure, ``<what>: <value> <unit>`` with its comparison on the
same line. ``--only NAME`` runs ``bench_NAME.py`` alone. Benchmarks use their own database
under ``var/bench/`` and never touch the development database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run bench_<ONLY>.py alone")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem == f"bench_{args.only}"]
        if not scripts:
            names = ", ".join(
                s.stem.removeprefix("bench_") for s in sorted(HERE.glob("bench_*.py"))
            )
            print(f"no benchmark named {args.only!r}; there are: {names}", file=sys.stderr)
            return 2
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    bench_var = ROOT / "var" / "bench"
    bench_var.mkdir(parents=True, exist_ok=True)
    env.setdefault("CITYLOOP_VAR_DIR", str(bench_var))
    started = time.monotonic()
    failed = []
    for script in scripts:
        print(f"# {script.stem.removeprefix('bench_')}", flush=True)
        result = subprocess.run([sys.executable, str(script)], env=env, cwd=ROOT, check=False)
        if result.returncode != 0:
            failed.append(script.stem)
    took = time.monotonic() - started
    print(
        f"bench: {len(scripts)} benchmark(s) in {took:.0f} s, {len(failed)} failed {failed or ''}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
