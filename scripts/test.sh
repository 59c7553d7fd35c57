#!/usr/bin/env bash
# Installs what the tests need and runs every check: formatting, lints, the UI's type-check,
# lint and unit tests, the Rust tests, and the end-to-end tests of the real app under Xvfb.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

install_apt "${APT_PACKAGES[@]}" "${APT_TEST_PACKAGES[@]}"
install_npm "$ROOT/ui"
install_npm "$ROOT/tests/e2e"
install_cargo_tool tauri-driver tauri-driver
# An independent bundle verifier (Python: age, Ed25519, RFC 8785) checks our format;
# libheif (pillow-heif) makes and decodes HEIC photos; python-docx, openpyxl and odfpy make
# and open office documents, olefile reads their 97-2003 forms.
if ! python3 -c "import pyrage, cryptography, rfc8785, pillow_heif, docx, openpyxl, odf, olefile" 2>/dev/null; then
  echo "==> installing Python packages for the bundle verifier and the stripped-copy tests"
  python3 -m pip install --quiet --disable-pip-version-check -r "$ROOT/tests/python/requirements.txt"
fi

step() { echo; echo "==> $*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "front end: build, type-check, lint, unit tests"
build_ui
npm --prefix ui run check --silent
npm --prefix ui run lint --silent
npm --prefix ui test --silent

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --benches --features bench-internals --quiet -- -D warnings

step "Rust tests (core, CLI, app shell)"
cargo test --workspace --quiet

step "end-to-end tests of the desktop app (Xvfb + tauri-driver + WebKitWebDriver)"
cargo build --quiet -p aigaq-app -p aigaq
bash tests/e2e/run.sh
