#!/usr/bin/env bash
# Installs what Aigaq needs, builds it, and starts the desktop app. The vault lives in the
# user's data folder (~/.local/share/aigaq/vault) unless AIGAQ_VAULT names another folder.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

install_apt "${APT_PACKAGES[@]}"
install_npm "$ROOT/ui"
build_ui
echo "==> building the app (the first build takes several minutes)"
cargo build --release --quiet -p aigaq-app -p aigaq
echo "==> starting Aigaq (the command-line tool is target/release/aigaq)"
exec "$ROOT/target/release/aigaq-app" "$@"
