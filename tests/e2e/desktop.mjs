// The desktop around the app, as the test sees it: X11 tools on the test's display (typing,
// window names and properties, the clipboard), the vault's lock, processes, and a private
// D-Bus session bus.

import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a tool and returns its standard output; throws with its error output on failure. */
export function tool(name, args, { env = process.env, timeout = 20_000, allowFailure = false } = {}) {
  const result = spawnSync(name, args, { encoding: 'utf8', timeout, env });
  if (result.error) throw new Error(`${name} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`${name} ${args.join(' ')}: exit ${result.status}: ${result.stderr.trim()}`);
  }
  return { out: result.stdout, status: result.status, err: result.stderr };
}

/** xdotool on the test's display: types and clicks as a person would. */
export const xdotool = (...args) => tool('xdotool', args).out.trim();

/** The visible windows whose title matches the regular expression `name`. */
export function windowsNamed(name) {
  const found = tool('xdotool', ['search', '--onlyvisible', '--name', name], { allowFailure: true });
  return found.out.split('\n').filter((line) => line.trim() !== '');
}

/** One X property of a window, as `xprop` prints it without the type. */
export const xprop = (id, property) => tool('xprop', ['-id', id, '-notype', property]).out.trim();

/** The clipboard's content for `target` (text by default), or `null` when nobody offers it. */
export function clipboard(target) {
  const args = ['-o', '-selection', 'clipboard', ...(target ? ['-t', target] : [])];
  const read = tool('xclip', args, { allowFailure: true, timeout: 5_000 });
  return read.status === 0 ? read.out : null;
}

/** Whether a process holds the advisory lock on the vault folder (the app, while unlocked). */
export function vaultLocked(dir) {
  const tried = tool('flock', ['--nonblock', '--conflict-exit-code', '75', dir, 'true'], { allowFailure: true });
  if (tried.status === 75) return true;
  if (tried.status === 0) return false;
  throw new Error(`flock ${dir}: exit ${tried.status}: ${tried.err.trim()}`);
}

/** Pid → parent pid of every process. */
function parents() {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The first descendant of `ancestor` that runs the executable `exe`, or `null`. */
export function findDescendant(ancestor, exe) {
  const children = parents();
  const queue = [...(children.get(ancestor) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift();
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === exe) return pid;
    } catch {
      // not ours to read, or gone
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return null;
}

export function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The network interfaces this process sees (from /proc/net/dev). */
export function interfaces() {
  return readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0].trim())
    .filter((name) => name !== '');
}

/**
 * A private D-Bus session bus with no services to start: only what the test sends on it.
 * Returns its address and a function that stops it.
 */
export async function privateSessionBus(dir) {
  const socket = join(dir, 'socket');
  const config = join(dir, 'session.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const daemon = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--nopidfile', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  daemon.stdout.on('data', (chunk) => (printed += chunk));
  const deadline = Date.now() + 10_000;
  while (!printed.includes('\n')) {
    if (daemon.exitCode !== null) throw new Error(`dbus-daemon exited (${daemon.exitCode})`);
    if (Date.now() > deadline) throw new Error('dbus-daemon did not print its address');
    await sleep(50);
  }
  return {
    address: printed.trim().split('\n')[0],
    stop: () => daemon.kill('SIGTERM'),
  };
}
