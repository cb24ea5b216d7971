#!/usr/bin/env bash
# Installs the system packages zonecheck needs to build and run on Debian 12 (run as root).
# Idempotent: does nothing when everything is present. PROJ itself is built from source by
# proj-sys (Debian's PROJ 9.1 is older than the 9.6 the proj crate needs) and needs cmake and
# the sqlite3 command (to build proj.db); the SQLite library itself is compiled into the binary
# (rusqlite's `bundled`, which proj-sys links too), libsqlite3-dev is kept for older checkouts. The desktop app loads OpenGL (Mesa), X11/Wayland and xkbcommon at run time; its file
# dialogs are GTK 3's, loaded (dlopen) when the first one opens: libgtk-3-0, at run time only.
# tests/dialogs.rs drives those dialogs in the real binary under Xvfb with xdotool (xauth for Xvfb, imagemagick's
# `import` for a screenshot). tests/pdf.rs reads report.pdf back with poppler-utils (pdfinfo,
# pdftotext). libgdal-dev is for the optional `gdal` feature (GDAL 3.6; its tests
# read committed fixtures, so no gdal-bin).
set -euo pipefail
packages=(build-essential cmake sqlite3 libsqlite3-dev pkg-config
  libgl1 libegl1 libgl1-mesa-dri libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6
  libxkbcommon0 libxkbcommon-x11-0 libwayland-client0 libwayland-egl1 libwayland-cursor0
  libgtk-3-0 xvfb xauth xdotool imagemagick poppler-utils libgdal-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  # A fresh machine without Rust: install the stable toolchain with rustup (needs curl).
  command -v curl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
fi
