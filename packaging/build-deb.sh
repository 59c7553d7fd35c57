#!/usr/bin/env bash
# Builds the .deb from a release build, offline. Run ./scripts/start.sh or ./scripts/test.sh
# once first so that the Debian and npm packages are installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
npm --prefix "$root/ui" run build --silent
cd "$root/src-tauri"
# The Tauri CLI comes from the npm registry, pinned to the version of the tauri crate.
npm exec --yes --package=@tauri-apps/cli@2.12.5 -- tauri build --bundles deb "$@"
ls -l "${CARGO_TARGET_DIR:-$root/target}"/release/bundle/deb/*.deb
