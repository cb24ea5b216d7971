#!/usr/bin/env python3
"""Bookkeeping for benches/run.sh (standard library only).

  record   append one timed run (wall, peak RSS, per-stage times from `timing:` lines) to a
           JSON-lines file
  compare  per-zone areas of zonecheck's report.json against a reference's JSON (GeoPandas/GEOS
           or DuckDB); exit 1 and list every difference beyond the tolerance
  table    print the benchmark table: zonecheck --all-features (the headline) and default,
           GeoPandas and DuckDB, the speed-up over the faster reference, the share of each
           layer the default mode's spatial filter kept (and, with --scaling, growth against
           patches)
"""

import argparse
import json
import math
import re
import statistics
import sys
from pathlib import Path

TIMING = re.compile(r"^timing:\s+(.+?)\s+([0-9.]+)\s+ms\s*$")


def cmd_record(a):
    stages = {}
    for line in Path(a.stderr).read_text(encoding="utf-8", errors="replace").splitlines():
        m = TIMING.match(line.strip())
        if m:
            stages[m.group(1)] = stages.get(m.group(1), 0.0) + float(m.group(2)) / 1000.0
    row = {
        "tool": a.tool,
        "scale": a.scale,
        "run": a.run,
        "wall_s": a.wall,
        "peak_rss_mib": a.rss_kib / 1024.0,
        "exit": a.exit,
        "stages_s": stages,
    }
    with open(a.results, "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


def close(got, want, rel, abs_):
    return abs(got - want) <= max(abs_, rel * abs(want))


def cmd_compare(a):
    zc = json.loads(Path(a.zonecheck).read_text(encoding="utf-8"))
    geos_all = json.loads(Path(a.ref).read_text(encoding="utf-8"))
    ref = a.ref_name
    geos = geos_all["zones"]
    diffs = []
    for layer, info in sorted(geos_all.get("inputs", {}).items()):
        if info.get("invalid"):
            print(f"note: {ref} finds {info['invalid']} invalid geometries in layer {layer} (made valid)")
    for i in zc.get("inputs", []):
        if i.get("warnings"):
            print(f"note: zonecheck warns {len(i['warnings'])}x on layer {i['layer']}: {i['warnings'][0]}")
    worst_rel, worst_abs, checked = 0.0, 0.0, 0

    def check(what, got, want):
        nonlocal worst_rel, worst_abs, checked
        checked += 1
        d = abs(got - want)
        worst_abs = max(worst_abs, d)
        if want != 0.0:
            worst_rel = max(worst_rel, d / abs(want))
        if not close(got, want, a.rel, a.abs):
            rel = d / abs(want) if want else math.inf
            diffs.append(
                f"{what}: zonecheck {got:.6f}, {ref} {want:.6f} (diff {got - want:+.6f} m², "
                f"relative {rel:.3g})"
            )

    zc_ids = [z["id"] for z in zc["zones"]]
    for missing in sorted(set(geos) - set(zc_ids)):
        diffs.append(f"zone {missing}: in {ref} output, missing from report.json")
    for z in zc["zones"]:
        zid = z["id"]
        g = geos.get(zid)
        if g is None:
            diffs.append(f"zone {zid}: in report.json, missing from {ref} output")
            continue
        check(f"zone {zid} area_m2", z["area_m2"], g["area_m2"])
        checked += 1
        if len(z["parts"]) != g["parts"]:
            diffs.append(f"zone {zid} parts: zonecheck {len(z['parts'])}, {ref} {g['parts']}")
        for layer, want in sorted(g["conflicts"].items()):
            c = z["conflicts"].get(layer)
            if c is None:
                diffs.append(f"zone {zid} conflict {layer}: missing from report.json")
                continue
            check(f"zone {zid} conflict {layer}", c["area_m2"], want)
    label = f"[{a.label}] " if a.label else ""
    print(
        f"{label}per-zone comparison with {ref}: {len(zc_ids)} zones, {checked} numbers, "
        f"worst difference {worst_abs:.3g} m² absolute, {worst_rel:.3g} relative "
        f"(tolerance {a.rel:g} relative or {a.abs:g} m² absolute): "
        + ("OK" if not diffs else f"{len(diffs)} DIFFERENCE(S)")
    )
    for d in diffs:
        print(f"  {label}{d}")
    if a.json_out:
        Path(a.json_out).write_text(
            json.dumps(
                {
                    "zones": len(zc_ids),
                    "numbers": checked,
                    "worst_abs_m2": worst_abs,
                    "worst_rel": worst_rel,
                    "differences": diffs,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 1 if diffs else 0


def load_rows(path):
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def summary_of(data_root, scale):
    p = Path(data_root) / scale / "bench_summary.json"
    if p.is_file():
        return json.loads(p.read_text(encoding="utf-8"))
    return None


def agg(rows):
    """Median wall, max peak RSS, median per stage over the runs."""
    if not rows:
        return None
    stages = {}
    for r in rows:
        for k, v in r["stages_s"].items():
            stages.setdefault(k, []).append(v)
    return {
        "runs": len(rows),
        "wall_s": statistics.median(r["wall_s"] for r in rows),
        "wall_min_s": min(r["wall_s"] for r in rows),
        "wall_max_s": max(r["wall_s"] for r in rows),
        "rss_mib": max(r["peak_rss_mib"] for r in rows),
        "stages_s": {k: statistics.median(v) for k, v in stages.items()},
    }


def fmt_mib(m):
    return "-" if m is None else f"{m:.0f}"


def fmt_s(s):
    return "-" if s is None else (f"{s:.2f}" if s < 100 else f"{s:.0f}")


# Tools in table order: (key in results.jsonl, column title).
TOOLS = (
    ("zonecheck-all", "zc --all-features"),
    ("zonecheck", "zc default"),
    ("geopandas", "GeoPandas"),
    ("duckdb", "DuckDB"),
)
REFERENCES = ("geopandas", "duckdb")


def filter_shares(runs_root, scale):
    """(layer, kept, total) per layer of the default mode's report.json, or []."""
    p = Path(runs_root) / scale / "zonecheck_report.json" if runs_root else None
    if not p or not p.is_file():
        return []
    report = json.loads(p.read_text(encoding="utf-8"))
    out = []
    for i in report.get("inputs", []):
        kept = int(i.get("features", 0))
        far = int(i.get("features_far_from_zones", i.get("far_from_zones", 0)))
        out.append((i.get("layer", "?"), kept, kept + far))
    return out


# The targets: the spread province (else the plain one) against the faster reference,
# and the county's wall.
SPEEDUP_TARGET = 5.0
PEAK_TARGET_MIB = 600.0
COUNTY_TARGET_S = 0.15


def targets(table):
    """(target, measured, met) for each target the runs in `table` can judge."""
    by_scale = {scale: tools for scale, _, _, _, tools in table}
    out = []
    province = next((s for s in ("province-spread", "province") if s in by_scale), None)
    if province:
        tools = by_scale[province]
        refs = [(k, tools[k]["wall_s"]) for k in REFERENCES if tools[k]]
        zc_all, zc_def = tools["zonecheck-all"], tools["zonecheck"]
        if refs and zc_all:
            ref, best = min(refs, key=lambda r: r[1])
            x = best / zc_all["wall_s"]
            worst = best / zc_all["wall_max_s"]
            out.append(
                (
                    f"{province}: --all-features >= {SPEEDUP_TARGET:g}x the faster reference",
                    f"{x:.2f}x {ref} (slowest run {worst:.2f}x)",
                    x >= SPEEDUP_TARGET,
                )
            )
        if zc_all:
            out.append(
                (
                    f"{province}: --all-features peak <= {PEAK_TARGET_MIB:g} MiB",
                    f"{zc_all['rss_mib']:.0f} MiB",
                    zc_all["rss_mib"] <= PEAK_TARGET_MIB,
                )
            )
        if zc_all and zc_def:
            out.append(
                (
                    f"{province}: default at least as fast as --all-features",
                    f"{zc_def['wall_s']:.2f} s vs {zc_all['wall_s']:.2f} s",
                    zc_def["wall_s"] <= zc_all["wall_s"],
                )
            )
    if "county" in by_scale:
        for key, title in TOOLS[:2]:
            g = by_scale["county"][key]
            if g:
                out.append(
                    (
                        f"county: {title} <= {COUNTY_TARGET_S:g} s",
                        f"{g['wall_s']:.2f} s (runs {g['wall_min_s']:.2f}–{g['wall_max_s']:.2f} s)",
                        g["wall_s"] <= COUNTY_TARGET_S,
                    )
                )
    return out


def cmd_table(a):
    rows = load_rows(a.results)
    scales = []
    for r in rows:
        if r["scale"] not in scales:
            scales.append(r["scale"])
    out = []
    table = []
    for scale in scales:
        s = summary_of(a.data_root, scale)
        patches = s["layers"]["farmland"]["features"] if s else None
        vertices = sum(l["vertices"] for l in s["layers"].values()) if s else None
        tools = {
            key: agg([r for r in rows if r["scale"] == scale and r["tool"] == key])
            for key, _ in TOOLS
        }
        table.append((scale, patches, vertices, s, tools))

    out.append(
        "wall = median of the runs, RSS = largest peak resident set of the runs (/usr/bin/time); "
        "× = wall of the faster of GeoPandas and DuckDB / zonecheck's wall"
    )
    out.append(
        f"{a.warmup} untimed warm-up run(s) of each zonecheck mode per scale before the timed runs"
    )
    hdr = f"{'scale':<16} {'patches':>9} {'vertices':>10}"
    for _, title in TOOLS:
        hdr += f" {title + ' s':>19} {'MiB':>6}"
    hdr += f" {'× all':>6} {'× def':>6}"
    out.append(hdr)
    out.append("-" * len(hdr))
    for scale, patches, vertices, s, tools in table:
        line = f"{scale:<16} {patches or '-':>9} {vertices or '-':>10}"
        for key, _ in TOOLS:
            g = tools[key]
            line += f" {fmt_s(g and g['wall_s']):>19} {fmt_mib(g and g['rss_mib']):>6}"
        refs = [tools[k]["wall_s"] for k in REFERENCES if tools[k]]
        best = min(refs) if refs else None
        for key in ("zonecheck-all", "zonecheck"):
            g = tools[key]
            speedup = f"{best / g['wall_s']:.2f}" if best and g else "-"
            line += f" {speedup:>6}"
        out.append(line)
    out.append("")
    for scale, patches, vertices, s, tools in table:
        for key, title in TOOLS:
            g = tools[key]
            if not g:
                continue
            stages = ", ".join(f"{k} {fmt_s(v)}" for k, v in g["stages_s"].items())
            out.append(
                f"{scale} {title} ({g['runs']} run(s), wall {fmt_s(g['wall_min_s'])}–"
                f"{fmt_s(g['wall_max_s'])} s): {stages}"
            )
    verdicts = targets(table)
    if verdicts:
        out.append("")
        out.append("targets (wall = median of the runs, peak = largest of the runs)")
        width = max(len(t) for t, _, _ in verdicts)
        for target, measured, met in verdicts:
            out.append(f"{target:<{width}}  {measured:<40} {'met' if met else 'NOT MET'}")
    shares = [(scale, filter_shares(a.runs_root, scale)) for scale, *_ in table]
    if any(sh for _, sh in shares):
        out.append("")
        out.append("what the default mode's spatial filter kept (features near a zone / features)")
        for scale, sh in shares:
            if not sh:
                continue
            parts = []
            for layer, kept, total in sh:
                pct = f"{100.0 * kept / total:.1f} %" if total else "-"
                parts.append(f"{layer} {kept}/{total} ({pct})")
            out.append(f"{scale}: " + ", ".join(parts))
    if a.scaling:
        out.append("")
        out.append(
            "scaling by patches (zonecheck --all-features): k = exponent in value ∝ patches^k "
            "from the smallest dataset to this one"
        )
        hdr = (
            f"{'scale':<16} {'patches':>9} {'vertices':>10} {'zc s':>7} {'µs/patch':>8} "
            f"{'k':>5} {'zc MiB':>7} {'k':>5} {'GP s':>7} {'µs/patch':>8} {'k':>5} "
            f"{'GP MiB':>7} {'k':>5}"
        )
        out.append(hdr)
        out.append("-" * len(hdr))
        srt = sorted((t for t in table if t[1]), key=lambda t: t[1])
        base = srt[0] if srt else None
        for scale, patches, vertices, s, tools in srt:

            def k(cur, old):
                if not cur or not old or patches == base[1]:
                    return "-"
                return f"{math.log(cur / old) / math.log(patches / base[1]):.2f}"

            def per(w):
                return "-" if not w else f"{w / patches * 1e6:.1f}"

            def val(g, key):
                return g[key] if g else None

            zc, gp = tools["zonecheck-all"], tools["geopandas"]
            b_zc, b_gp = base[4]["zonecheck-all"], base[4]["geopandas"]
            out.append(
                f"{scale:<16} {patches:>9} {vertices or '-':>10} "
                f"{fmt_s(val(zc, 'wall_s')):>7} {per(val(zc, 'wall_s')):>8} "
                f"{k(val(zc, 'wall_s'), val(b_zc, 'wall_s')):>5} "
                f"{fmt_mib(val(zc, 'rss_mib')):>7} {k(val(zc, 'rss_mib'), val(b_zc, 'rss_mib')):>5} "
                f"{fmt_s(val(gp, 'wall_s')):>7} {per(val(gp, 'wall_s')):>8} "
                f"{k(val(gp, 'wall_s'), val(b_gp, 'wall_s')):>5} "
                f"{fmt_mib(val(gp, 'rss_mib')):>7} {k(val(gp, 'rss_mib'), val(b_gp, 'rss_mib')):>5}"
            )
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--results", required=True)
    r.add_argument("--tool", required=True)
    r.add_argument("--scale", required=True)
    r.add_argument("--run", type=int, required=True)
    r.add_argument("--wall", type=float, required=True)
    r.add_argument("--rss-kib", type=float, required=True)
    r.add_argument("--exit", type=int, required=True)
    r.add_argument("--stderr", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--zonecheck", required=True, help="zonecheck's report.json")
    c.add_argument(
        "--ref", "--geos", dest="ref", required=True,
        help="compare_geopandas.py's or compare_duckdb.py's JSON",
    )
    c.add_argument("--ref-name", default="GEOS", help="the reference's name in the output")
    c.add_argument("--rel", type=float, default=1e-7)
    c.add_argument("--abs", type=float, default=1e-3)
    c.add_argument("--label", default="")
    c.add_argument("--json-out")
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    t.add_argument("--data-root", required=True)
    t.add_argument("--scaling", action="store_true")
    t.add_argument("--runs-root", help="run outputs (<scale>/zonecheck_report.json: filter shares)")
    t.add_argument("--out")
    t.add_argument("--warmup", type=int, default=0, help="untimed zonecheck runs per scale and mode")
    a = ap.parse_args()
    if a.cmd == "record":
        cmd_record(a)
        return 0
    if a.cmd == "compare":
        return cmd_compare(a)
    return cmd_table(a)


if __name__ == "__main__":
    sys.exit(main())
