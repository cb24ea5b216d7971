#!/usr/bin/env bash
# Screenshots of the desktop app on the bundled sample review, under a virtual X server.
# Needs: apt-get install -y xvfb xauth libgl1-mesa-dri imagemagick xdotool
# Writes docs/overview.png (loaded), docs/checked.png (after the check, F5),
# docs/finding.png (first finding selected, N), docs/plan.png (plan summary, F6), docs/attributes.png (attribute table, Ctrl+T),
# docs/english.png (English UI).
# PROFILE=dev uses the debug build (dependencies are optimised in it too) instead of --release.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PROFILE:-release}" = dev ]; then
  cargo build --bin zonecheck
  BIN=target/debug/zonecheck
else
  cargo build --release --bin zonecheck
  BIN=target/release/zonecheck
fi
STATE=$(mktemp -d)   # fresh settings: Chinese UI, default layout
trap 'rm -rf "$STATE"' EXIT

xvfb-run -a -s "-screen 0 1600x1000x24" env XDG_DATA_HOME="$STATE" XDG_CONFIG_HOME="$STATE" \
  LIBGL_ALWAYS_SOFTWARE=1 bash -c '
set -euo pipefail
"'"$BIN"'" open sample_maps/review.toml &
APP=$!
shot() { sleep "$2"; import -window root "docs/$1.png"; echo "docs/$1.png"; }
win() { xdotool search --sync --name zonecheck | head -n1; }
sleep 6
W=$(win)
xdotool windowmove "$W" 0 0 windowsize "$W" 1600 1000 windowfocus "$W" || true
shot overview 3
xdotool key --window "$W" F5
shot checked 8
xdotool key --window "$W" n
shot finding 2
# The plan summary (F6): zone counts against the quotas.
xdotool key --window "$W" F6
shot plan 2
xdotool key --window "$W" F6
sleep 1
# The attribute table of the top layer (the merged zones), sorted by name (MC, third column).
xdotool key --window "$W" ctrl+t
sleep 1
xdotool mousemove 215 730 click 1
shot attributes 2
# The language switch is the last button on the toolbar (top right).
xdotool mousemove 1560 44 click 1
shot english 2
kill "$APP"
'
