#!/usr/bin/env bash
# The zonecheck benchmark (issues 4 and 12): the release binary's whole `zonecheck check` job,
# with every feature loaded (`--all-features`, the headline) and in the default mode (spatial
# filter), against GeoPandas + Shapely 2 (GEOS) and DuckDB + spatial on the same generated
# reviews, runs alternated, with a per-zone area comparison against both references.
#
#   bash benches/run.sh                       county and province-spread, 3 runs each
#   bash benches/run.sh --scales county --runs 5
#   bash benches/run.sh --scaling             county, county-x4, county-x16, province
#
# Options:
#   --scales LIST    comma-separated: county, county-x4, county-x16, province, province-spread
#                    (default county,province-spread)
#   --scaling        same as --scales county,county-x4,county-x16,province, plus a growth table
#   --runs N         runs per scale of each zonecheck mode (default 3; on the county at least
#                    7: a run there takes a tenth of a second, its target is on the median,
#                    and one run slowed by the machine moves a median of 3)
#   --warmup N       untimed runs of each zonecheck mode per scale before the timed ones
#                    (default 1): the timed runs then find the files, the binary and proj.db
#                    in the system's cache, as every later run does (the references read the
#                    same files after them)
#   --geo-runs N     GeoPandas and DuckDB runs per scale (default: same as --runs)
#   --no-geopandas   skip GeoPandas (and its comparison)
#   --no-duckdb      skip DuckDB (and its comparison)
#   --data DIR       where datasets live (default bench_data/, gitignored); each scale is
#                    generated once into DIR/<scale>/ when missing (delete it to regenerate)
#   --out DIR        where run outputs, results.jsonl and table.txt go (default DIR/runs)
#
# Environment: BENCH_GENERATOR="cmd" generates with `cmd SCALE DIR` instead of
# `zonecheck-gen bench --scale SCALE DIR`; PYTHON (default python3) makes the venv.
#
# Exit status: 0 when every zonecheck run succeeded (exit 0 or 1) and every per-zone number
# agrees with GEOS and DuckDB within 1e-7 relative or 1e-3 m² absolute; 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SCALES=county,province-spread
RUNS=3
WARMUP=1
GEO_RUNS=
GEOPANDAS=1
DUCKDB=1
SCALING=0
DATA=bench_data
OUT=

while [ $# -gt 0 ]; do
    case "$1" in
        --scales) SCALES=$2; shift 2 ;;
        --scaling) SCALING=1; SCALES=county,county-x4,county-x16,province; shift ;;
        --runs) RUNS=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --geo-runs) GEO_RUNS=$2; shift 2 ;;
        --no-geopandas) GEOPANDAS=0; shift ;;
        --no-duckdb) DUCKDB=0; shift ;;
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
if [ "$GEOPANDAS" = 1 ] || [ "$DUCKDB" = 1 ]; then
    if ! "$VENV/bin/python" -c 'import geopandas, shapely, pyogrio, duckdb' 2>/dev/null \
        || ! cmp -s benches/requirements.txt "$VENV/.requirements.txt"; then
        echo "== creating the reference venv in benches/.venv (pinned: benches/requirements.txt)"
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
    # The shell's own clock (bash 5): a `date` process on each side added 1-4 ms to each run.
    t0=${EPOCHREALTIME/,/.}
    /usr/bin/time -f '%M' -o "$tv" "$@" > /dev/null 2> "$err" || rc=$?
    t1=${EPOCHREALTIME/,/.}
    local wall rss
    wall=$("$PYTHON" -c "print($t1 - $t0)")
    rss=$(tail -n 1 "$tv")
    "$PYTHON" benches/bench_report.py record --results "$RESULTS" --tool "$tool" \
        --scale "$scale" --run "$run" --wall "$wall" --rss-kib "$rss" --exit "$rc" --stderr "$err"
    printf '   %-13s run %d: %7.2f s, peak RSS %6.0f MiB, exit %d\n' "$tool" "$run" "$wall" \
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
    zc_runs=$RUNS
    if [ "$scale" = county ] && [ "$zc_runs" -lt 7 ]; then zc_runs=7; fi
    echo "== $scale: zonecheck check --all-features and default ($zc_runs run(s) each)," \
        "GeoPandas and DuckDB ($GEO_RUNS run(s) each), alternated"
    n=$(( zc_runs > GEO_RUNS ? zc_runs : GEO_RUNS ))
    failed=0
    for w in $(seq 1 "$WARMUP"); do
        for mode in zonecheck-all zonecheck; do
            extra=()
            if [ "$mode" = zonecheck-all ]; then extra=(--all-features); fi
            rm -rf "$OUT/$scale/warmup.out"
            "$ZC" check "$dir/review.toml" --out "$OUT/$scale/warmup.out" -q "${extra[@]}" \
                > /dev/null 2>&1 || true
        done
        echo "   warm-up $w: each zonecheck mode run once, untimed"
    done
    rm -rf "$OUT/$scale/warmup.out"
    for i in $(seq 1 "$n"); do
        if [ "$i" -le "$zc_runs" ]; then
            for mode in zonecheck-all zonecheck; do
                out=$OUT/$scale/$mode.out
                rm -rf "$out"
                extra=()
                if [ "$mode" = zonecheck-all ]; then extra=(--all-features); fi
                rc=0
                timed "$mode" "$scale" "$i" "$ZC" check "$dir/review.toml" --out "$out" -q \
                    --timings "${extra[@]}" || rc=$?
                if [ "$rc" -gt 1 ]; then
                    echo "error: zonecheck ($mode) failed on $scale (exit $rc):" >&2
                    tail -n 5 "$OUT/$scale/$mode.$i.stderr" >&2
                    failed=1
                fi
            done
        fi
        if [ "$i" -le "$GEO_RUNS" ] && [ "$GEOPANDAS" = 1 ]; then
            if ! timed geopandas "$scale" "$i" "$VENV/bin/python" benches/compare_geopandas.py \
                "$dir/review.toml" --out "$OUT/$scale/geos.json"; then
                echo "error: compare_geopandas.py failed on $scale:" >&2
                tail -n 5 "$OUT/$scale/geopandas.$i.stderr" >&2
                failed=1
            fi
        fi
        if [ "$i" -le "$GEO_RUNS" ] && [ "$DUCKDB" = 1 ]; then
            if ! timed duckdb "$scale" "$i" "$VENV/bin/python" benches/compare_duckdb.py \
                "$dir/review.toml" --out "$OUT/$scale/duckdb.json"; then
                echo "error: compare_duckdb.py failed on $scale:" >&2
                tail -n 5 "$OUT/$scale/duckdb.$i.stderr" >&2
                failed=1
            fi
        fi
        if [ "$failed" = 1 ]; then
            STATUS=1
            continue 2
        fi
    done
    cp "$OUT/$scale/zonecheck.out/report.json" "$OUT/$scale/zonecheck_report.json"
    cp "$OUT/$scale/zonecheck-all.out/report.json" "$OUT/$scale/zonecheck_all_report.json"
    : > "$OUT/$scale/comparison.txt"
    for mode in zonecheck-all zonecheck; do
        "$PYTHON" -c 'import os, sys; print(f"[report.html] {sys.argv[2]}, {sys.argv[3]}: {os.path.getsize(sys.argv[1]) / 1e6:.2f} MB (target: under 10 MB)")' \
            "$OUT/$scale/$mode.out/report.html" "$scale" "$mode" | tee -a "$OUT/$scale/comparison.txt"
    done
    for ref in geos duckdb; do
        case $ref in
            geos) [ "$GEOPANDAS" = 1 ] || continue; ref_name=GEOS ;;
            duckdb) [ "$DUCKDB" = 1 ] || continue; ref_name=DuckDB ;;
        esac
        for mode in all default; do
            report=$OUT/$scale/zonecheck_report.json
            if [ "$mode" = all ]; then report=$OUT/$scale/zonecheck_all_report.json; fi
            "$PYTHON" benches/bench_report.py compare --label "$scale, zonecheck $mode" \
                --zonecheck "$report" --ref "$OUT/$scale/$ref.json" --ref-name "$ref_name" \
                --json-out "$OUT/$scale/comparison.$ref.$mode.json" \
                | tee -a "$OUT/$scale/comparison.txt" || STATUS=1
        done
    done
done

echo
rev=$(git describe --always --dirty 2>/dev/null || echo unknown)
echo "== results (zonecheck $("$ZC" --version | awk '{print $2}') at $rev, $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB)"
table_args=(--results "$RESULTS" --data-root "$DATA" --runs-root "$OUT" --out "$OUT/table.txt"
    --warmup "$WARMUP")
if [ "$SCALING" = 1 ]; then table_args+=(--scaling); fi
"$PYTHON" benches/bench_report.py table "${table_args[@]}"
for scale in "${SCALE_LIST[@]}"; do
    if [ -f "$OUT/$scale/comparison.txt" ]; then grep '^\[' "$OUT/$scale/comparison.txt"; fi
done
if [ "$STATUS" != 0 ]; then
    echo "FAILED: see the differences or errors above" >&2
fi
exit "$STATUS"
