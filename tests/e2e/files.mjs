// What the app leaves on disk: every file under a folder, a search for the canary in them
// (UTF-8, UTF-16LE and UTF-16BE, in chunks so any size is fine), and the list of what exists
// with the volatile parts of names normalised, to compare with a committed list.

import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every regular file under `dir` (symlinks not followed), optionally only recent ones. */
export function* files(dir, { since = 0, skip = [] } = {}) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (skip.includes(path)) continue;
    if (entry.isDirectory()) {
      yield* files(path, { since, skip });
    } else if (entry.isFile()) {
      try {
        const st = lstatSync(path);
        if (st.mtimeMs >= since || st.ctimeMs >= since) yield { path };
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** The byte patterns the canary takes on disk in the encodings text is usually kept in. */
export function needles(canary) {
  const le = Buffer.from(canary, 'utf16le');
  const be = Buffer.from(le).swap16();
  return [Buffer.from(canary, 'utf8'), le, be];
}

export const CHUNK = 4 * 1024 * 1024;

/** Whether the file's bytes contain one of `patterns`; read in chunks. */
export function holds(path, patterns) {
  const overlap = Math.max(...patterns.map((n) => n.length)) - 1;
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false; // gone meanwhile, or a socket
  }
  try {
    const buffer = Buffer.alloc(CHUNK + overlap);
    let carried = 0;
    for (;;) {
      const read = readSync(fd, buffer, carried, CHUNK, null);
      if (read === 0) return false;
      const window = buffer.subarray(0, carried + read);
      if (patterns.some((needle) => window.includes(needle))) return true;
      carried = Math.min(overlap, window.length);
      window.copy(buffer, 0, window.length - carried);
    }
  } finally {
    closeSync(fd);
  }
}

/** Files under the given roots whose bytes contain one of `patterns`. */
export function scan(roots, patterns) {
  const hits = [];
  let scanned = 0;
  for (const { dir, since = 0, skip = [] } of roots) {
    for (const { path } of files(dir, { since, skip })) {
      scanned += 1;
      if (holds(path, patterns)) hits.push(path);
    }
  }
  return { hits, scanned };
}

/** Every file and folder (folders end in `/`) under `dir`, relative to `base`, sorted. */
export function listing(dir, base) {
  const out = [];
  const walk = (at) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        out.push(`${relative(base, path)}/`);
        walk(path);
      } else {
        out.push(relative(base, path));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** Replaces the parts of a path that change from run to run with a fixed placeholder. */
export function normalise(path) {
  return path
    .replace(/aigaq-webview-[A-Za-z0-9]+/g, 'aigaq-webview-*')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b[0-9a-f]{16,}\b/g, '<hex>');
}

/** The committed list: one path a line; `#` starts a comment. */
export function parseExpected(text) {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .sort();
}

/** What is in `actual` and not in `expected`, and the other way round. */
export function compareLists(actual, expected) {
  const a = new Set(actual);
  const e = new Set(expected);
  return {
    unexpected: [...a].filter((p) => !e.has(p)).sort(),
    missing: [...e].filter((p) => !a.has(p)).sort(),
  };
}
