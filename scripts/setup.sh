# Installs what building and testing Aigaq needs, on Debian 12 with the Rust toolchain and
# Node 20. Sourced by scripts/start.sh and scripts/test.sh; safe to run again (it only
# installs what is missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: WebKitGTK for the app window; Xvfb and WebKitWebDriver for the
# end-to-end tests, xdotool to type into the native file chooser and the window there,
# xprop (x11-utils) and xclip to read window properties and the clipboard, strace to see
# that the app opens no internet socket, dbus-daemon and gdbus (libglib2.0-bin) for a
# private session bus, ip (iproute2) for the test's network namespace, FFmpeg to make real
# recordings and decode the copies `--strip-metadata` sends, qpdf and Poppler to check and
# render its PDF copies; OpenSSL headers for SQLCipher.
APT_PACKAGES=(libwebkit2gtk-4.1-dev build-essential libssl-dev librsvg2-dev pkg-config file)
APT_TEST_PACKAGES=(xvfb xauth x11-utils webkit2gtk-driver xdotool xclip strace dbus-daemon libglib2.0-bin iproute2 python3-gi gir1.2-gtk-3.0 ffmpeg qpdf poppler-utils)

install_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# npm packages, from the lockfile; reinstalled only when the lockfile changed.
install_npm() {
  local dir="$1"
  [ -f "$dir/package-lock.json" ] || return 0
  local stamp="$dir/node_modules/.aigaq-lock-stamp"
  local sum
  sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "==> installing npm packages in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
}

install_cargo_tool() {
  local tool="$1" crate="$2"
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/$tool" ]; then
    echo "==> installing $crate"
    cargo install "$crate" --locked --quiet
  fi
  export PATH="$HOME/.cargo/bin:$PATH"
}

# Builds the front end when its sources changed; Tauri embeds ui/dist at compile time.
build_ui() {
  local stamp="$ROOT/ui/dist/.aigaq-src-stamp"
  local sum
  sum="$(cd "$ROOT/ui" && find src index.html package-lock.json vite.config.* tsconfig*.json svelte.config.* -type f 2>/dev/null | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "==> building the front end"
    npm --prefix "$ROOT/ui" run build --silent
    echo "$sum" > "$stamp"
  fi
}
