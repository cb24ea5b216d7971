#!/usr/bin/env bash
# Map frame-time benchmark of the desktop app (benches/frame.rs) on the county and province
# data: several runs each, then the minimum and median over runs of each view's median and p95.
# Usage: bash benches/frame.sh [RUNS_COUNTY [RUNS_PROVINCE]]   (default 5 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS_COUNTY=${1:-5}
RUNS_PROVINCE=${2:-3}
OUT=bench_data/frame_runs
mkdir -p "$OUT"
cargo build --release --bin zonecheck --bin zonecheck-gen
for scale in county province; do
  [ -f "bench_data/$scale/review.toml" ] ||
    target/release/zonecheck-gen bench --scale "$scale" "bench_data/$scale"
done
cargo bench --bench frame --no-run
run() { # scale run
  cargo bench -q --bench frame -- "bench_data/$1/review.toml" --frames 60 >"$OUT/$1_$2.txt"
  cargo bench -q --bench frame -- "bench_data/$1/review.toml" --engine-only >>"$OUT/$1_$2.txt"
}
for i in $(seq "$RUNS_COUNTY"); do run county "$i"; done
for i in $(seq "$RUNS_PROVINCE"); do run province "$i"; done
python3 - "$OUT" <<'PY'
import glob, re, statistics, sys
out = sys.argv[1]
for scale in ("county", "province"):
    files = sorted(glob.glob(f"{out}/{scale}_*.txt"))
    if not files:
        continue
    views, peaks, engine, sweeps = {}, [], [], []
    for f in files:
        for line in open(f, encoding="utf-8"):
            m = re.match(r"(full extent|1:[\d,]+ \w+)\s+" + r"([\d.]+)\s+" * 7 + r"([\d.]+)", line)
            if m:
                v = [float(x) for x in m.groups()[1:]]
                views.setdefault(m.group(1), []).append(v)
            m = re.match(r"peak RSS (\d+) MiB", line)
            if m:
                peaks.append(int(m.group(1)))
            m = re.match(r"engine only: .* peak RSS (\d+) MiB", line)
            if m:
                engine.append(int(m.group(1)))
            m = re.match(r"zoom sweep .*median ([\d.]+) ms, p95 ([\d.]+) ms, max ([\d.]+) ms", line)
            if m:
                sweeps.append([float(x) for x in m.groups()])
    print(f"\n{scale}: {len(files)} runs; ms per frame (run_ui + tessellate), min / median over runs")
    print(f"{'view':<18} {'moving median':>15} {'moving p95':>13} {'still median':>14} {'ready ms':>10}")
    fmt = lambda xs: f"{min(xs):.2f} / {statistics.median(xs):.2f}"
    for name, rows in views.items():
        col = lambda i: [r[i] for r in rows]
        print(f"{name:<18} {fmt(col(2)):>15} {fmt(col(3)):>13} {fmt(col(4)):>14} {statistics.median(col(1)):>10.0f}")
    if sweeps:
        print("zoom sweep (cold, 10 %/frame): median " + fmt([s[0] for s in sweeps])
              + ", p95 " + fmt([s[1] for s in sweeps]) + ", max " + fmt([s[2] for s in sweeps]))
    print(f"peak RSS app {fmt(peaks)} MiB; engine load alone {fmt(engine)} MiB")
PY
