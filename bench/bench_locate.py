"""locate(): batch throughput on the demo district beside a brute-force scan of every polygon."""

from __future__ import annotations

import common

common.setup_django()

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from cityloop.geo import coordinates  # noqa: E402
from cityloop.geo.index import get_index  # noqa: E402
from cityloop.geo.locate import locate_batch  # noqa: E402

POINTS = 100_000
BRUTE_SAMPLE = 1_000


def main() -> None:
    common.ensure_demo()
    index = get_index()
    west, south, east, north = shapely.total_bounds(index.grid_shapes)
    rng = np.random.default_rng(42)
    pts = rng.uniform([west, south], [east, north], (POINTS, 2))
    lons, lats = pts[:, 0], pts[:, 1]
    gcj_lons, gcj_lats = coordinates.wgs84_to_gcj02(lons, lats)

    batch = common.median_rate(lambda: len(locate_batch(lons, lats).grid_pos))
    batch_gcj = common.median_rate(lambda: len(locate_batch(gcj_lons, gcj_lats, "gcj02").grid_pos))
    shapes = list(index.grid_shapes)

    def brute() -> int:
        for lon, lat in pts[:BRUTE_SAMPLE]:
            point = shapely.Point(lon, lat)
            next((i for i, shape in enumerate(shapes) if shape.contains(point)), -1)
        return BRUTE_SAMPLE

    slow = common.median_rate(brute, repeats=3)
    found = locate_batch(lons, lats).found.mean()
    print(
        f"locate batch (WGS-84, {len(shapes):,} grids, {found:.0%} of points inside): "
        f"{common.fmt(batch)} points/s vs brute-force scan of every (prepared) polygon "
        f"{common.fmt(slow)} points/s, "
        f"ratio {batch / slow:,.0f}"
    )
    print(
        f"locate batch (GCJ-02 input, converted): {common.fmt(batch_gcj)} points/s "
        f"vs WGS-84 input {common.fmt(batch)} points/s, ratio {batch_gcj / batch:.2f}"
    )


if __name__ == "__main__":
    main()
