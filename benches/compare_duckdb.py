#!/usr/bin/env python3
"""The second reference of the zonecheck benchmark: DuckDB + its spatial extension on a review.

The same job as compare_geopandas.py, in SQL: reads the review file's layers (ST_Read, GDAL
inside the extension; a shapefile's text is decoded by its `.cpg`), reprojects a layer whose CRS
is not the working CRS, makes invalid geometries valid, dissolves the zones layer by id and
computes per merged zone

  * area_m2   area of the union of the zone's features,
  * parts     polygons of that union,
  * conflicts area(zone ∩ union(features of the layer intersecting the zone)) for every
              protection layer (redline, farmland, water and [layers.extra]),

timing itself by stage (import, read, reproject, validate, dissolve, overlay, write; the
spatial join builds its own index inside `overlay`), and writes one JSON file shaped like
compare_geopandas.py's, so that bench_report.py compares it with zonecheck's report.json:

  {"zones": {id: {"area_m2", "parts", "conflicts": {layer: area_m2}}},
   "timings": {stage: seconds}, "wall_s", "peak_rss_mib", "versions", "inputs"}

The spatial extension is loaded from the file of the pip package `duckdb-ext-spatial` (pinned in
benches/requirements.txt); nothing is downloaded at run time (automatic installing and loading
of extensions are switched off, so a missing file is an error, not a download).

Usage (inside the pinned venv, see benches/README.md):
  benches/.venv/bin/python benches/compare_duckdb.py REVIEW.toml --out duckdb.json
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


def spatial_extension_file():
    """Path of spatial.duckdb_extension inside the installed duckdb-ext-spatial package."""
    import importlib.metadata as md

    try:
        files = md.files("duckdb-ext-spatial") or []
    except md.PackageNotFoundError:
        sys.exit("error: the pip package duckdb-ext-spatial is not installed (benches/requirements.txt)")
    for f in files:
        if f.name == "spatial.duckdb_extension":
            return str(f.locate())
    sys.exit("error: duckdb-ext-spatial has no spatial.duckdb_extension for this platform")


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


def sql_str(s):
    """A SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def ident(s):
    """A SQL identifier."""
    return '"' + str(s).replace('"', '""') + '"'


def epsg_of(text):
    """The EPSG number of "EPSG:4549" (case-insensitive), else None."""
    t = str(text).strip().upper()
    if t.startswith("EPSG:") and t[5:].isdigit():
        return int(t[5:])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("review", help="the review file (TOML)")
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args()

    clock = Clock()
    clock.begin("import")
    import duckdb

    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"LOAD {sql_str(spatial_extension_file())}")

    review_path = Path(args.review).resolve()
    review = tomllib.loads(review_path.read_text(encoding="utf-8"))
    base = review_path.parent
    layers = dict(review.get("layers", {}))
    extra = layers.pop("extra", {}) or {}
    protection = [(k, layers[k]) for k in PROTECTION_KEYS if k in layers]
    protection += sorted(extra.items())
    id_field = (review.get("fields") or {}).get("id")
    working_text = review.get("crs", "EPSG:4549")
    working = epsg_of(working_text)
    if working is None:
        sys.exit(f"error: the working CRS {working_text!r} is not an EPSG code")

    inputs = {}
    tables = {}

    def read(key, rel, table):
        path = base / rel
        if path.suffix.lower() == ".shp":
            # DuckDB's own shapefile reader; text as raw bytes (the extension's GDAL cannot
            # recode GBK), decoded where it is used (the zone id, by the `.cpg`).
            src = f"ST_ReadSHP({sql_str(path)}, encoding := 'blob')"
            enc = cpg_encoding(path) or "utf-8"
        else:
            src = f"ST_Read({sql_str(path)})"
            enc = None
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {src}")
        n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        meta = con.execute(f"SELECT layers FROM ST_Read_Meta({sql_str(path)})").fetchone()[0]
        crs = None
        try:
            crs = meta[0]["geometry_fields"][0]["crs"]
        except (IndexError, KeyError, TypeError):
            crs = None
        inputs[key] = {
            "path": str(path),
            "features": int(n),
            "encoding": enc,
            "crs": crs and crs.get("auth_code"),
        }
        tables[key] = (table, crs)

    clock.begin("read")
    read("zones", layers["zones"], "zones_raw")
    for k, (name, rel) in enumerate(protection):
        read(name, rel, f"prot_{k}")

    clock.begin("reproject")
    for key, (table, crs) in tables.items():
        same = bool(crs) and crs.get("auth_name") == "EPSG" and str(crs.get("auth_code")) == str(working)
        inputs[key]["reprojected"] = not same
        if same:
            continue
        if not crs or not crs.get("wkt"):
            sys.exit(f"error: layer {key} has no CRS to reproject from")
        con.execute(
            f"UPDATE {table} SET geom = ST_Transform(geom, {sql_str(crs['wkt'])}, "
            f"{sql_str(f'EPSG:{working}')}, always_xy := true)"
        )

    clock.begin("validate")
    for key, (table, _) in tables.items():
        bad = con.execute(f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid(geom)").fetchone()[0]
        inputs[key]["invalid"] = int(bad)
        if bad:
            con.execute(f"UPDATE {table} SET geom = ST_MakeValid(geom) WHERE NOT ST_IsValid(geom)")

    clock.begin("dissolve")
    cols = [r[0] for r in con.execute("DESCRIBE zones_raw").fetchall()]
    by_lower = {c.lower(): c for c in cols}
    key = None
    if id_field and id_field in cols:
        key = id_field
    else:
        key = next((by_lower[d] for d in ID_DEFAULTS if d in by_lower), None)
    if key:
        # The id as read (bytes of a shapefile, text of other formats) decoded and trimmed in
        # Python, one row per distinct value.
        enc = inputs["zones"]["encoding"]
        raw_ids = [r[0] for r in con.execute(f"SELECT DISTINCT {ident(key)} FROM zones_raw").fetchall()]

        def text(v):
            if v is None:
                return ""
            if isinstance(v, (bytes, bytearray)):
                return bytes(v).decode(enc or "utf-8").strip()
            return str(v).strip()

        con.execute("CREATE TABLE zone_ids (raw_id BLOB, zid VARCHAR)")
        con.executemany(
            "INSERT INTO zone_ids VALUES (?, ?)",
            [(v if isinstance(v, (bytes, bytearray)) else str(v).encode(), text(v)) for v in raw_ids],
        )
        raw = ident(key)
        raw_blob = f"CAST({raw} AS BLOB)" if enc is None else raw
        con.execute(
            f"CREATE TABLE merged AS SELECT i.zid, ST_Union_Agg(z.geom) AS geom "
            f"FROM zones_raw z JOIN zone_ids i ON {raw_blob} = i.raw_id GROUP BY i.zid"
        )
    else:
        con.execute(
            "CREATE TABLE merged AS SELECT '#' || CAST(rowid AS VARCHAR) AS zid, geom AS geom "
            "FROM zones_raw"
        )

    clock.begin("overlay")
    out_zones = {}
    for z, area, parts in con.execute(
        "SELECT zid, ST_Area(geom), CASE WHEN ST_IsEmpty(geom) THEN 0 ELSE ST_NumGeometries(geom) END "
        "FROM merged ORDER BY zid"
    ).fetchall():
        out_zones[z] = {"area_m2": float(area), "parts": int(parts), "conflicts": {}}
    for k, (name, _) in enumerate(protection):
        table = tables[name][0]
        rows = con.execute(
            f"""
            WITH hits AS (
                SELECT m.zid, f.geom FROM merged m JOIN {table} f ON ST_Intersects(m.geom, f.geom)
            ), u AS (
                SELECT zid, ST_Union_Agg(geom) AS geom FROM hits GROUP BY zid
            )
            SELECT m.zid, ST_Area(ST_Intersection(m.geom, u.geom)) FROM merged m JOIN u ON m.zid = u.zid
            """
        ).fetchall()
        got = {z: float(a) for z, a in rows}
        for z, info in out_zones.items():
            info["conflicts"][name] = got.get(z, 0.0)

    clock.begin("write")
    versions = {"python": sys.version.split()[0], "duckdb": duckdb.__version__}
    for name, version in con.execute(
        "SELECT extension_name, extension_version FROM duckdb_extensions() WHERE loaded"
    ).fetchall():
        if name == "spatial":
            versions["spatial"] = version
    try:
        import importlib.metadata as md

        versions["duckdb-ext-spatial"] = md.version("duckdb-ext-spatial")
    except Exception:  # noqa: BLE001 - a version is informative only
        pass
    try:
        versions["geos"] = con.execute("SELECT ST_GEOS_Version()").fetchone()[0]
    except duckdb.Error:
        pass
    result = {"zones": out_zones, "inputs": inputs, "versions": versions}
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
