#!/usr/bin/env python3
"""A GeoJSON copy of a generated benchmark review, for the GeoJSON reading measurement.

Writes every layer of SRC's review (GBK shapefiles) as GeoJSON through GDAL (pyogrio) into DST,
with the legacy `crs` member ahead of the features (RFC7946=NO: the working CRS kept, as GDAL
and zonecheck write it) and coordinates to the millimetre, and a review.toml naming the copies.

Usage (inside the pinned venv, see benches/README.md):
  benches/.venv/bin/python benches/to_geojson.py bench_data/province-spread bench_data/province-spread-geojson
"""

import sys
import time
from pathlib import Path

import pyogrio


def main():
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    review = (src / "review.toml").read_text(encoding="utf-8")
    for shp in sorted(src.glob("*.shp")):
        t0 = time.perf_counter()
        df = pyogrio.read_dataframe(shp, encoding="GBK")
        out = dst / (shp.stem + ".geojson")
        pyogrio.write_dataframe(
            df,
            out,
            driver="GeoJSON",
            layer_options={"RFC7946": "NO", "WRITE_BBOX": "NO", "COORDINATE_PRECISION": "3"},
        )
        review = review.replace(f'"{shp.name}"', f'"{out.name}"')
        print(f"{shp.name}: {len(df)} features in {time.perf_counter() - t0:.1f} s", flush=True)
    (dst / "review.toml").write_text(review, encoding="utf-8")


if __name__ == "__main__":
    main()
