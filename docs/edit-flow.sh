#!/usr/bin/env bash
# Screenshots of the planner's flow on a copy of the sample review: the failing plan made to
# pass in the app (the steps of tests/app_plan_passes.rs, listed in docs/edit-flow.txt), taken
# under a virtual X server from the debug build, which runs the steps through its
# ZONECHECK_TEST_SCRIPT hook and waits for each screenshot.
# Needs: apt-get install -y xvfb xauth libgl1-mesa-dri imagemagick
# Writes docs/edit-1-checked.png … docs/edit-6-passing.png.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --bin zonecheck
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r sample_maps "$WORK/sample"
cp docs/edit-flow.txt "$WORK/script.txt"
xvfb-run -a -s "-screen 0 1600x1000x24" env XDG_DATA_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/state" \
  LIBGL_ALWAYS_SOFTWARE=1 ZONECHECK_TEST_SCRIPT="$WORK/script.txt" WORK="$WORK" bash -c '
set -euo pipefail
target/debug/zonecheck open "$WORK/sample/review.toml" &
APP=$!
sleep 4
W=$(xdotool search --sync --name zonecheck | head -n1)
xdotool windowmove "$W" 0 0 windowsize "$W" 1600 1000 || true
for name in $(grep "^shot " "$WORK/script.txt" | cut -d" " -f2); do
  for _ in $(seq 600); do [ -e "$WORK/$name.ready" ] && break; sleep 0.2; done
  [ -e "$WORK/$name.ready" ] || { echo "no $name"; kill $APP; exit 1; }
  sleep 1.5
  import -window root "docs/$name.png"
  echo "docs/$name.png"
  touch "$WORK/$name.done"
done
kill $APP
'
