#!/usr/bin/env bash
# The zonecheck benchmark (issue 4): the release binary's whole `zonecheck check` job against
# GeoPandas + Shapely 2 (GEOS) on the same generated reviews, with a per-zone area comparison.
#
#   bash benches/run.sh                       county and province, 3 runs each
#   bash benches/run.sh --scales county --runs 5
#   bash benches/run.sh --scaling             county, county-x4, county-x16, province
#
# Options:
#   --scales LIST    comma-separated: county, county-x4, county-x16, province
#                    (default county,province)
#   --scaling        same as --scales county,county-x4,county-x16,province, plus a growth table
#   --runs N         zonecheck runs per scale (default 3)
#   --geo-runs N     GeoPandas runs per scale (default: same as --runs)
#   --no-geopandas   skip the reference (and the comparison)
#   --data DIR       where datasets live (default bench_data/, gitignored); each scale is
#                    generated once into DIR/<scale>/ when missing (delete it to regenerate)
#   --out DIR        where run outputs, results.jsonl and table.txt go (default DIR/runs)
#
# Environment: BENCH_GENERATOR="cmd" generates with `cmd SCALE DIR` instead of
# `zonecheck-gen bench --scale SCALE DIR`; PYTHON (default python3) makes the venv.
#
# Exit status: 0 when every zonecheck run succeeded (exit 0 or 1) and every per-zone number
# agrees with GEOS within 1e-7 relative or 1e-3 m² absolute; 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SCALES=county,province
RUNS=3
GEO_RUNS=
GEOPANDAS=1
SCALING=0
DATA=bench_data
OUT=

while [ $# -gt 0 ]; do
    case "$1" in
        --scales) SCALES=$2; shift 2 ;;
        --scaling) SCALING=1; SCALES=county,county-x4,county-x16,province; shift ;;
        --runs) RUNS=$2; shift 2 ;;
        --geo-runs) GEO_RUNS=$2; shift 2 ;;
        --no-geopandas) GEOPANDAS=0; shift ;;
        --data) DATA=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
GEO_RUNS=${GEO_RUNS:-$RUNS}
OUT=${OUT:-$DATA/runs}
PYTHON=${PYTHON:-python3}
mkdir -p "$DATA" "$OUT"
RESULTS=$OUT/results.jsonl
: > "$RESULTS"

for tool in /usr/bin/time "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install time python3-venv)" >&2; exit 2; }
done

echo "== building the release binaries (zonecheck and the data generator zonecheck-gen)"
cargo build --release --locked --bin zonecheck --bin zonecheck-gen
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
ZC=$TARGET_DIR/release/zonecheck
GEN=$TARGET_DIR/release/zonecheck-gen

VENV=$ROOT/benches/.venv
if [ "$GEOPANDAS" = 1 ]; then
    if ! "$VENV/bin/python" -c 'import geopandas, shapely, pyogrio' 2>/dev/null \
        || ! cmp -s benches/requirements.txt "$VENV/.requirements.txt"; then
        echo "== creating the GeoPandas venv in benches/.venv (pinned: benches/requirements.txt)"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check -r benches/requirements.txt
        cp benches/requirements.txt "$VENV/.requirements.txt"
    fi
fi

generate() {
    if [ -n "${BENCH_GENERATOR:-}" ]; then
        $BENCH_GENERATOR "$1" "$2"
    else
        "$GEN" bench --scale "$1" "$2"
    fi
}

# Runs "$@" under /usr/bin/time; records wall (ns clock), peak RSS and `timing:` lines.
timed() {
    local tool=$1 scale=$2 run=$3; shift 3
    local err=$OUT/$scale/$tool.$run.stderr tv=$OUT/$scale/$tool.$run.time
    local t0 t1 rc=0
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$tv" "$@" > /dev/null 2> "$err" || rc=$?
    t1=$(date +%s.%N)
    local wall rss
    wall=$("$PYTHON" -c "print($t1 - $t0)")
    rss=$(tail -n 1 "$tv")
    "$PYTHON" benches/bench_report.py record --results "$RESULTS" --tool "$tool" \
        --scale "$scale" --run "$run" --wall "$wall" --rss-kib "$rss" --exit "$rc" --stderr "$err"
    printf '   %-9s run %d: %7.2f s, peak RSS %6.0f MiB, exit %d\n' "$tool" "$run" "$wall" \
        "$(( rss / 1024 ))" "$rc"
    return "$rc"
}

STATUS=0
IFS=, read -r -a SCALE_LIST <<< "$SCALES"
for scale in "${SCALE_LIST[@]}"; do
    dir=$DATA/$scale
    mkdir -p "$OUT/$scale"
    if [ ! -f "$dir/review.toml" ] || [ ! -f "$dir/bench_summary.json" ]; then
        echo "== generating $scale into $dir"
        t0=$(date +%s.%N)
        generate "$scale" "$dir"
        t1=$(date +%s.%N)
        "$PYTHON" -c "print(f'   generated in {$t1 - $t0:.1f} s')"
    fi
    echo "== $scale: zonecheck check, $RUNS run(s)"
    for i in $(seq 1 "$RUNS"); do
        out=$OUT/$scale/zonecheck.out
        rm -rf "$out"
        rc=0
        timed zonecheck "$scale" "$i" "$ZC" check "$dir/review.toml" --out "$out" -q --timings || rc=$?
        if [ "$rc" -gt 1 ]; then
            echo "error: zonecheck failed on $scale (exit $rc):" >&2
            tail -n 5 "$OUT/$scale/zonecheck.$i.stderr" >&2
            STATUS=1
            continue 2
        fi
    done
    cp "$OUT/$scale/zonecheck.out/report.json" "$OUT/$scale/zonecheck_report.json"
    if [ "$GEOPANDAS" = 1 ]; then
        echo "== $scale: GeoPandas + Shapely (GEOS), $GEO_RUNS run(s)"
        for i in $(seq 1 "$GEO_RUNS"); do
            if ! timed geopandas "$scale" "$i" "$VENV/bin/python" benches/compare_geopandas.py \
                "$dir/review.toml" --out "$OUT/$scale/geos.json"; then
                echo "error: compare_geopandas.py failed on $scale:" >&2
                tail -n 5 "$OUT/$scale/geopandas.$i.stderr" >&2
                STATUS=1
                continue 2
            fi
        done
        "$PYTHON" benches/bench_report.py compare --label "$scale" \
            --zonecheck "$OUT/$scale/zonecheck_report.json" --geos "$OUT/$scale/geos.json" \
            --json-out "$OUT/$scale/comparison.json" | tee "$OUT/$scale/comparison.txt" \
            || STATUS=1
    fi
done

echo
rev=$(git describe --always --dirty 2>/dev/null || echo unknown)
echo "== results (zonecheck $("$ZC" --version | awk '{print $2}') at $rev, $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB)"
table_args=(--results "$RESULTS" --data-root "$DATA" --out "$OUT/table.txt")
if [ "$SCALING" = 1 ]; then table_args+=(--scaling); fi
"$PYTHON" benches/bench_report.py table "${table_args[@]}"
for scale in "${SCALE_LIST[@]}"; do
    if [ -f "$OUT/$scale/comparison.txt" ]; then head -n 1 "$OUT/$scale/comparison.txt"; fi
done
if [ "$STATUS" != 0 ]; then
    echo "FAILED: see the differences or errors above" >&2
fi
exit "$STATUS"
