#!/usr/bin/env bash
# End-to-end test of the desktop app, headless: Xvfb + tauri-driver (WebKitWebDriver) +
# app.test.mjs, which drives the real binary through the W3C WebDriver endpoints, then
# starts it again as users do (no WebDriver) under strace and drives it from the keyboard.
#
# Needs: the app and the CLI built (npm --prefix ui run build && cargo build -p aigaq-app -p aigaq),
# tauri-driver on PATH (cargo install tauri-driver --locked), Xvfb, WebKitWebDriver, node,
# xdotool (to type into the native file chooser and the window), xprop, xclip (to read the
# clipboard), strace, dbus-daemon and gdbus (a private session bus), flock, and, as root,
# unshare and ip.
# Everything the app could write goes to a scratch folder: HOME, the XDG folders (the vault
# is in its default place under XDG_DATA_HOME) and TMPDIR. Whatever this script starts it
# stops again, by pid, however it ends.
#
# No network: as root (CI runs as root) the whole run happens in a network namespace of its
# own whose only interface is the loopback, brought up because tauri-driver and
# WebKitWebDriver talk over localhost TCP. Under WebDriver the app itself listens on
# localhost for WebKitWebDriver (WebKit's automation), so the check that the app opens no
# internet socket at all runs it without WebDriver, under `strace -f`. E2E_NO_NETNS=1 runs
# without the namespace (the test then says the no-network check was skipped); the app makes
# itself non-dumpable, so finding its process under tauri-driver needs root all the same.
#
#   bash tests/e2e/run.sh            # AIGAQ_APP=path to test another binary
#   KEEP_SCRATCH=1 bash tests/e2e/run.sh   # keep the scratch folder for a look afterwards

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
app=${AIGAQ_APP:-${CARGO_TARGET_DIR:-$root/target}/debug/aigaq-app}
# The CLI plays the partner organisation (import, acknowledge).
cli=${AIGAQ_CLI:-$(dirname "$app")/aigaq}
port=${E2E_DRIVER_PORT:-4444}
native_port=${E2E_NATIVE_PORT:-4445}

fail() { echo "e2e: $*" >&2; exit 2; }

# Into a network namespace with nothing but the loopback (see above), once.
if [[ -z ${E2E_IN_NETNS:-} && -z ${E2E_NO_NETNS:-} ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    fail "the no-network run needs root (unshare --net); run as root, or set E2E_NO_NETNS=1 to run without it"
  fi
  for tool in unshare ip; do
    command -v "$tool" >/dev/null || fail "$tool is not on PATH"
  done
  E2E_HOST_NETNS=$(readlink /proc/self/ns/net)
  export E2E_HOST_NETNS
  exec unshare --net -- env E2E_IN_NETNS=1 bash "${BASH_SOURCE[0]}" "$@"
fi
if [[ -n ${E2E_IN_NETNS:-} ]]; then
  ip link set lo up
fi

[[ -x $app ]] || fail "no app binary at $app: run 'npm --prefix ui run build && cargo build -p aigaq-app -p aigaq' first"
[[ -x $cli ]] || fail "no CLI binary at $cli: run 'cargo build -p aigaq' first"
for tool in tauri-driver WebKitWebDriver Xvfb node xdotool xprop xclip strace dbus-daemon gdbus flock; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$port" "$native_port"; do
  if port_open "$p"; then
    fail "port $p is already in use (a tauri-driver or WebKitWebDriver left from another run?); stop it or set E2E_DRIVER_PORT / E2E_NATIVE_PORT"
  fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/aigaq-e2e.XXXXXX")
pids=()
driver_pid=
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}
cleanup() {
  local status=$?
  # WebKitWebDriver and the app run under tauri-driver: note them before it goes.
  local leftovers=()
  [[ -n $driver_pid ]] && mapfile -t leftovers < <(descendants "$driver_pid")
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for pid in "${leftovers[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [[ -n ${KEEP_SCRATCH:-} ]]; then
    echo "e2e: scratch folder kept at $scratch"
  else
    rm -rf "$scratch"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$scratch"/{home,data,config,cache,state,runtime,tmp,bus}
chmod 700 "$scratch"/runtime "$scratch"/bus
original_home=${HOME:-/root}

# Xvfb picks a free display itself and writes its number once it accepts clients.
Xvfb -displayfd 3 -nolisten tcp -screen 0 1280x900x24 \
  3>"$scratch/display" >"$scratch/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  [[ -s $scratch/display ]] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$scratch/xvfb.log" >&2; fail "Xvfb did not start"; }
  sleep 0.1
done
[[ -s $scratch/display ]] || fail "Xvfb did not report a display"
export DISPLAY=":$(tr -d '[:space:]' <"$scratch/display")"

export HOME=$scratch/home
export XDG_DATA_HOME=$scratch/data
export XDG_CONFIG_HOME=$scratch/config
export XDG_CACHE_HOME=$scratch/cache
export XDG_STATE_HOME=$scratch/state
export XDG_RUNTIME_DIR=$scratch/runtime
export TMPDIR=$scratch/tmp
# The vault in its default place ($XDG_DATA_HOME/aigaq/vault), so the test sees every folder
# the app makes for it.
unset AIGAQ_VAULT
unset DBUS_SESSION_BUS_ADDRESS
# The clipboard is taken back after 3 s instead of 30 (the app only accepts shorter).
export AIGAQ_CLIPBOARD_CLEAR_SECONDS=3

# WebKitWebDriver (a GLib program of the test's, not the app's) would keep a dconf file in
# XDG_RUNTIME_DIR; the app sets the same for itself.
GSETTINGS_BACKEND=memory \
  tauri-driver --port "$port" --native-port "$native_port" >"$scratch/tauri-driver.log" 2>&1 &
pids+=($!)
driver_pid=$!
# Ready when WebKitWebDriver answers, not when tauri-driver's own port opens.
for _ in $(seq 100); do
  port_open "$native_port" && break
  kill -0 "$driver_pid" 2>/dev/null || { cat "$scratch/tauri-driver.log" >&2; fail "tauri-driver exited"; }
  sleep 0.1
done
port_open "$native_port" || fail "WebKitWebDriver did not open port $native_port"

status=0
E2E_APP=$app \
E2E_CLI=$cli \
E2E_WEBDRIVER=http://127.0.0.1:$port \
E2E_DRIVER_PID=$driver_pid \
E2E_SCRATCH=$scratch \
E2E_ORIGINAL_HOME=$original_home \
E2E_SCREENSHOTS=$here/screenshots \
E2E_EXPECTED_FILES=$here/expected-files.txt \
  node "$here/app.test.mjs" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- tauri-driver and app output ---" >&2
  tail -n 40 "$scratch/tauri-driver.log" >&2 || true
fi
exit "$status"
