#!/usr/bin/env python3
"""The reference side of the zonecheck benchmark: GeoPandas + Shapely 2 (GEOS) on a review.

Reads the review file's layers (shapefiles through pyogrio, text decoded by the `.cpg`),
dissolves the zones layer by id and computes per merged zone

  * area_m2   area of the union of the zone's features,
  * parts     polygons of that union,
  * conflicts area(zone ∩ unary_union(features of the layer intersecting the zone)) for every
              protection layer (redline, farmland, water and [layers.extra]),

timing itself by stage (import, read, reproject, validate, dissolve, index, overlay, write) the
way `zonecheck check --timings` does, and writes one JSON file:

  {"zones": {id: {"area_m2", "parts", "conflicts": {layer: area_m2}}},
   "timings": {stage: seconds}, "wall_s", "peak_rss_mib", "versions", "inputs"}

Usage (inside the pinned venv, see benches/README.md):
  benches/.venv/bin/python benches/compare_geopandas.py REVIEW.toml --out geos.json
"""

import argparse
import json
import os
import resource
import sys
import time
import tomllib
from pathlib import Path

T_START = time.perf_counter()

# Layer keys of the review file that are protection layers (zonecheck's LayerRole).
PROTECTION_KEYS = ("redline", "farmland", "water")
NON_PROTECTION_KEYS = ("zones", "original", "townships")
ID_DEFAULTS = ("id", "zone_id", "zoneid", "编号", "bh", "bsm", "code", "dm", "xzqdm")


class Clock:
    """Wall time per stage, in order."""

    def __init__(self):
        self.timings = {}
        self.stage = None
        self.start = None

    def begin(self, stage):
        self.end()
        self.stage, self.start = stage, time.perf_counter()

    def end(self):
        if self.stage is not None:
            self.timings[self.stage] = self.timings.get(self.stage, 0.0) + (
                time.perf_counter() - self.start
            )
            self.stage = None


def cpg_encoding(path):
    """Encoding named by the shapefile's .cpg (case-insensitive sibling), else None."""
    p = Path(path)
    for cand in p.parent.iterdir():
        if cand.stem == p.stem and cand.suffix.lower() == ".cpg":
            text = cand.read_text(encoding="ascii", errors="replace").strip()
            if text.upper() in ("936", "CP936", "GB2312", "GB18030"):
                return "GBK" if text.upper() != "GB18030" else "GB18030"
            return text or None
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("review", help="the review file (TOML)")
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args()

    clock = Clock()
    clock.begin("import")
    import numpy as np
    import pandas as pd
    import geopandas as gpd
    import pyogrio
    import shapely
    from pyproj import CRS

    review_path = Path(args.review).resolve()
    review = tomllib.loads(review_path.read_text(encoding="utf-8"))
    base = review_path.parent
    layers = dict(review.get("layers", {}))
    extra = layers.pop("extra", {}) or {}
    protection = [(k, layers[k]) for k in PROTECTION_KEYS if k in layers]
    protection += sorted(extra.items())
    id_field = (review.get("fields") or {}).get("id")
    working = CRS.from_user_input(review.get("crs", "EPSG:4549"))

    inputs = {}

    def read(key, rel):
        path = base / rel
        enc = cpg_encoding(path) if path.suffix.lower() == ".shp" else None
        df = pyogrio.read_dataframe(path, encoding=enc)
        inputs[key] = {"path": str(path), "features": int(len(df)), "encoding": enc}
        return df

    clock.begin("read")
    zones = read("zones", layers["zones"])
    prot = [(name, read(name, rel)) for name, rel in protection]

    clock.begin("reproject")

    def to_working(key, df):
        crs = df.crs
        same = crs is not None and (
            CRS(crs).equals(working, ignore_axis_order=True)
            or CRS(crs).to_epsg(min_confidence=25) == working.to_epsg()
        )
        inputs[key]["reprojected"] = not same
        if same:
            return df.set_crs(working, allow_override=True)
        return df.to_crs(working)

    zones = to_working("zones", zones)
    prot = [(name, to_working(name, df)) for name, df in prot]

    clock.begin("validate")

    def valid(key, df):
        geoms = df.geometry.values
        bad = ~shapely.is_valid(geoms)
        inputs[key]["invalid"] = int(bad.sum())
        if bad.any():
            fixed = shapely.make_valid(geoms[bad])
            geoms = geoms.copy()
            geoms[bad] = fixed
        return np.asarray(geoms)

    zone_geoms = valid("zones", zones)
    prot_geoms = [(name, valid(name, df)) for name, df in prot]

    clock.begin("dissolve")
    cols = {c.lower(): c for c in zones.columns}
    key = None
    if id_field and id_field in zones.columns:
        key = id_field
    else:
        key = next((cols[d] for d in ID_DEFAULTS if d in cols), None)
    ids = zones[key].astype(str).str.strip().values if key else np.array(
        [f"#{i}" for i in range(len(zones))]
    )
    order = sorted(set(ids))
    merged = {}
    for zid in order:
        merged[zid] = shapely.union_all(zone_geoms[ids == zid])

    clock.begin("index")
    trees = [(name, geoms, shapely.STRtree(geoms)) for name, geoms in prot_geoms]

    clock.begin("overlay")
    out_zones = {}
    for zid in order:
        g = merged[zid]
        conflicts = {}
        for name, geoms, tree in trees:
            idx = tree.query(g, predicate="intersects")
            if len(idx) == 0:
                conflicts[name] = 0.0
                continue
            u = shapely.union_all(geoms[np.sort(idx)])
            conflicts[name] = float(shapely.area(shapely.intersection(g, u)))
        out_zones[zid] = {
            "area_m2": float(shapely.area(g)),
            "parts": int(shapely.get_num_geometries(g)) if not g.is_empty else 0,
            "conflicts": conflicts,
        }

    clock.begin("write")
    result = {
        "zones": out_zones,
        "inputs": inputs,
        "versions": {
            "python": sys.version.split()[0],
            "geopandas": gpd.__version__,
            "shapely": shapely.__version__,
            "geos": shapely.geos_version_string,
            "pyogrio": pyogrio.__version__,
            "gdal": pyogrio.__gdal_version_string__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
    }
    clock.end()
    result["timings"] = clock.timings
    result["wall_s"] = time.perf_counter() - T_START
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    tmp = args.out + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, args.out)
    for stage, secs in clock.timings.items():
        print(f"timing: {stage:<24} {secs * 1000:9.1f} ms", file=sys.stderr)


if __name__ == "__main__":
    main()
