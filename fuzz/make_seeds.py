#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/seeds/<target>/: a few small, valid inputs per target.

Shapefiles are written byte by byte from the ESRI specification (independent of zonecheck's own
writer) and packed into the `shapefile` target's container: three little-endian u16 lengths
(.shp, .shx, .dbf; 0xFFFF = no such file), the three files, then the .cpg as the rest.

Run from anywhere: python3 fuzz/make_seeds.py  (deterministic; rewrites the seed folders).
"""

import json
import shutil
import struct
from pathlib import Path

SEEDS = Path(__file__).resolve().parent / "seeds"

# EPSG:4549 coordinates near Hangzhou.
X0, Y0 = 500_000.0, 3_340_000.0


def square(x, y, size, clockwise=True):
    ring = [(x, y), (x, y + size), (x + size, y + size), (x + size, y), (x, y)]
    return ring if clockwise else ring[::-1]


def bbox(points):
    xs = [p[0] for p in points] or [0.0]
    ys = [p[1] for p in points] or [0.0]
    return min(xs), min(ys), max(xs), max(ys)


def polygon_content(rings, shape_type=5):
    """Content of one Polygon (5) or PolygonZ (15) record; `rings` is a list of point lists."""
    if shape_type == 0:
        return struct.pack("<i", 0)
    points = [p for r in rings for p in r]
    parts, at = [], 0
    for r in rings:
        parts.append(at)
        at += len(r)
    out = struct.pack("<i4d2i", shape_type, *bbox(points), len(rings), len(points))
    out += struct.pack(f"<{len(parts)}i", *parts)
    for x, y in points:
        out += struct.pack("<2d", x, y)
    if shape_type == 15:
        zs = [10.0 + i for i in range(len(points))]
        out += struct.pack("<2d", min(zs), max(zs)) + struct.pack(f"<{len(zs)}d", *zs)
        ms = [0.0] * len(points)
        out += struct.pack("<2d", 0.0, 0.0) + struct.pack(f"<{len(ms)}d", *ms)
    return out


def shp_header(length_bytes, shape_type, box):
    return (
        struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_bytes // 2)
        + struct.pack("<2i", 1000, shape_type)
        + struct.pack("<8d", *box, 0.0, 0.0, 0.0, 0.0)
    )


def shp_and_shx(records, shape_type=5):
    """records: list of (rings, record_shape_type)."""
    body, index = b"", b""
    offset = 100
    all_points = []
    for number, (rings, rtype) in enumerate(records, start=1):
        content = polygon_content(rings, rtype)
        all_points += [p for r in rings for p in r]
        index += struct.pack(">2i", offset // 2, len(content) // 2)
        body += struct.pack(">2i", number, len(content) // 2) + content
        offset += 8 + len(content)
    box = bbox(all_points)
    shp = shp_header(100 + len(body), shape_type, box) + body
    shx = shp_header(100 + len(index), shape_type, box) + index
    return shp, shx


def dbf(fields, rows, encoding="utf-8", ldid=0x00):
    """fields: list of (name, type, width, decimals); rows: list of lists of str (None = blank)."""
    header_len = 32 + 32 * len(fields) + 1
    record_len = 1 + sum(f[2] for f in fields)
    out = struct.pack("<B3BIHH", 0x03, 124, 11, 28, len(rows), header_len, record_len)
    out += b"\0" * 17 + bytes([ldid]) + b"\0\0"
    for name, ftype, width, decimals in fields:
        raw = name.encode(encoding)[:10]
        out += raw + b"\0" * (11 - len(raw)) + ftype.encode() + b"\0" * 4
        out += bytes([width, decimals]) + b"\0" * 14
    out += b"\r"
    for row in rows:
        out += b" "
        for (name, ftype, width, _), value in zip(fields, row):
            raw = ("" if value is None else value).encode(encoding)[:width]
            pad = b" " * (width - len(raw))
            out += pad + raw if ftype == "N" else raw + pad
    return out + b"\x1a"


def pack(shp, shx, dbf_bytes, cpg=b""):
    lens = [len(shp), 0xFFFF if shx is None else len(shx), 0xFFFF if dbf_bytes is None else len(dbf_bytes)]
    return struct.pack("<3H", *lens) + shp + (shx or b"") + (dbf_bytes or b"") + cpg


ZONE_FIELDS = [("ID", "C", 10, 0), ("NAME", "C", 40, 0), ("AREA", "N", 12, 2)]


def shapefile_seeds():
    seeds = {}
    # Two zones, the first with a hole (counter-clockwise), UTF-8 text.
    zones = [
        ([square(X0, Y0, 500), square(X0 + 100, Y0 + 100, 50, clockwise=False)], 5),
        ([square(X0 + 2000, Y0, 500)], 5),
    ]
    shp, shx = shp_and_shx(zones)
    rows = [["Z01", "萧山经济技术开发区", "247500.00"], ["Z02", "开发区2", "250000.00"]]
    seeds["two_zones_utf8"] = pack(shp, shx, dbf(ZONE_FIELDS, rows), b"UTF-8")
    # The same in GBK with a .cpg, and in GBK told only by the language-driver byte.
    seeds["two_zones_gbk_cpg"] = pack(shp, shx, dbf(ZONE_FIELDS, rows, "gbk", 0x4D), b"GBK")
    seeds["two_zones_gbk_ldid"] = pack(shp, shx, dbf(ZONE_FIELDS, rows, "gbk", 0x4D))
    # No .shx.
    seeds["no_shx"] = pack(shp, None, dbf(ZONE_FIELDS, rows))
    # A multipart zone, a null record and a self-intersecting bow tie.
    bow_tie = [(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100), (X0, Y0)]
    mixed = [
        ([square(X0, Y0, 300), square(X0 + 1000, Y0, 300)], 5),
        ([], 0),
        ([bow_tie], 5),
    ]
    shp, shx = shp_and_shx(mixed)
    rows3 = [["M1", "multi", "180000"], ["N1", None, None], ["B1", "bow tie", "0"]]
    seeds["multipart_null_bowtie"] = pack(shp, shx, dbf(ZONE_FIELDS, rows3))
    # PolygonZ with M values.
    shp, shx = shp_and_shx([([square(X0, Y0, 200)], 15)], shape_type=15)
    seeds["polygon_z"] = pack(shp, shx, dbf(ZONE_FIELDS, [["Z1", "z", "40000"]]))
    # Lon/lat coordinates, one deleted .dbf row.
    shp, shx = shp_and_shx([([square(120.0, 30.0, 0.01)], 5), ([square(120.1, 30.0, 0.01)], 5)])
    table = bytearray(dbf(ZONE_FIELDS, [["L1", "lonlat", "1"], ["L2", "deleted", "2"]]))
    header_len = 32 + 32 * len(ZONE_FIELDS) + 1
    record_len = 1 + sum(f[2] for f in ZONE_FIELDS)
    table[header_len + record_len] = ord("*")
    seeds["lonlat_deleted_row"] = pack(shp, shx, bytes(table))
    return seeds


def feature(coords, props, gtype="Polygon"):
    return {"type": "Feature", "properties": props, "geometry": {"type": gtype, "coordinates": coords}}


def geojson_seeds():
    sq = lambda x, y, s, cw=False: [list(p) for p in square(x, y, s, clockwise=cw)]
    crs4549 = {"type": "name", "properties": {"name": "EPSG:4549"}}
    return {
        "collection_crs_member.geojson": {
            "type": "FeatureCollection",
            "crs": crs4549,
            "features": [
                feature([sq(X0, Y0, 500), sq(X0 + 100, Y0 + 100, 50, True)], {"id": "R1", "名称": "红线", "n": 3}),
                feature([[sq(X0 + 2000, Y0, 200)], [sq(X0 + 3000, Y0, 200)]], {"id": "R2", "flag": True}, "MultiPolygon"),
                feature([X0, Y0], {"id": "P1"}, "Point"),
                {"type": "Feature", "properties": None, "geometry": None},
            ],
        },
        "lonlat_no_crs.geojson": {
            "type": "FeatureCollection",
            "features": [feature([sq(120.0, 30.0, 0.01)], {"id": 1})],
        },
        "urn_crs_feature.geojson": {
            "type": "Feature",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
            "properties": {"name": "single"},
            "geometry": {"type": "Polygon", "coordinates": [sq(120.0, 30.0, 0.01)]},
        },
        "geometry_collection.geojson": {
            "type": "GeometryCollection",
            "crs": {"type": "EPSG", "properties": {"code": 4549}},
            "geometries": [
                {"type": "Polygon", "coordinates": [sq(X0, Y0, 100)]},
                {"type": "MultiPolygon", "coordinates": [[sq(X0 + 500, Y0, 100)]]},
            ],
        },
        "bare_polygon_unclosed.geojson": {
            "type": "Polygon",
            "coordinates": [[[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01]]],
        },
    }


REVIEWS = {
    "minimal.toml": '[layers]\nzones = "zones.shp"\n',
    "full.toml": """crs = "EPSG:4549"

[layers]
zones = "整合后开发区.shp"
original = "original.shp"
redline = "redline.geojson"
farmland = "farmland.shp"
water = "water.shp"
townships = "townships.shp"

[layers.extra]
"蓝绿空间" = "bluegreen.shp"

[crs_of]
farmland = "EPSG:4490"
"蓝绿空间" = "EPSG:4549"

[fields]
id = "BH"
name = "KFQMC"
level = "JB"
city = "SQ"
county = "XQ"
members = "YYQ"
industries = "ZDCY"
enclave = "FD"
class = "BHJB"
status = "CZ"

[rules]
contiguity_distance_m = 50.0
max_clusters = 3
min_part_area_m2 = 10000.0
sliver_area_m2 = 1.0
custody_protected_share = 0.5
expansion_blocks = true
max_industries = 3
max_total_zones = 150

[quotas.city_level]
default = [1, 2]
"杭州市" = [2, 3]

[quotas.county]
default = [1, 2]
"萧山区" = [1, 1]
""",
    "inline_tables.toml": (
        '\ufeffcrs = "EPSG:4549"\nlayers = { zones = "z.geojson", extra = { "a b" = "x.shp" } }\n'
        "rules = { max_clusters = 2, sliver_area_m2 = 0.5 }\n"
        "quotas = { county = { default = [0, 4] } }\n"
    ),
}


def main():
    for target in ("shapefile", "geojson", "review"):
        shutil.rmtree(SEEDS / target, ignore_errors=True)
        (SEEDS / target).mkdir(parents=True)
    for name, data in shapefile_seeds().items():
        (SEEDS / "shapefile" / name).write_bytes(data)
    for name, doc in geojson_seeds().items():
        (SEEDS / "geojson" / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for name, text in REVIEWS.items():
        (SEEDS / "review" / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
