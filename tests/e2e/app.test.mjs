// Drives the real app through tauri-driver with plain W3C WebDriver requests (no client
// library): create a vault, add a testimony holding a unique canary, lock, fail with a wrong
// passphrase, unlock again, open the testimony and attach a photo, a note and a recording
// (each holding the canary too) whose previews load from memory. Then ends the app and
// searches every file it could have written for the canary. Started by run.sh, which sets
// the E2E_* variables and the scratch folders.

import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start this test with tests/e2e/run.sh`);
  return value;
};
const APP = realpathSync(env('E2E_APP'));
const WEBDRIVER = env('E2E_WEBDRIVER');
const DRIVER_PID = Number(env('E2E_DRIVER_PID'));
const SCRATCH = env('E2E_SCRATCH');
const ORIGINAL_HOME = env('E2E_ORIGINAL_HOME');
const SCREENSHOTS = env('E2E_SCREENSHOTS');
const VAULT = env('AIGAQ_VAULT');
const RUNTIME_DIR = env('XDG_RUNTIME_DIR');

const PASSPHRASE = 'e2e correct horse battery';
const WRONG_PASSPHRASE = 'e2e wrong horse battery';
const CANARY = `canary-${randomUUID()}`;
// Kazakh and Russian too, so typing and storing non-ASCII text is exercised.
const WITNESS_WORDS = 'Мені алаңда ұстады; меня задержали.';
const NARRATIVE = `${CANARY} ${WITNESS_WORDS} I was held for three days.`;
const STARTED = Date.now();
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Files to attach, written here and removed once attached: they hold the canary in clear.
const SOURCES = join(SCRATCH, 'sources');

// ---------------------------------------------------------------- WebDriver, by hand

async function wd(method, path, body, timeoutMs = 30_000) {
  const response = await fetch(`${WEBDRIVER}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok || (json.value && json.value.error)) {
    const v = json.value ?? {};
    throw new Error(`${method} ${path}: ${v.error ?? response.status}: ${v.message ?? text.slice(0, 200)}`);
  }
  return json.value;
}

let session = null;
const s = (path) => `/session/${session}${path}`;
const byTestId = (id) => `[data-testid="${id}"]`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function findAll(selector) {
  const found = await wd('POST', s('/elements'), { using: 'css selector', value: selector }, 10_000);
  return found.map((e) => e[ELEMENT]);
}

async function waitFor(selector, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [first] = await findAll(selector);
    if (first) return first;
    if (Date.now() > deadline) throw new Error(`nothing matches ${selector} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function waitUntil(what, predicate, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

const click = async (selector) => wd('POST', s(`/element/${await waitFor(selector)}/click`), {});
const text = async (selector) => wd('GET', s(`/element/${await waitFor(selector)}/text`));
async function type(selector, value) {
  const element = await waitFor(selector);
  await wd('POST', s(`/element/${element}/clear`), {});
  await wd('POST', s(`/element/${element}/value`), { text: value });
}
const source = () => wd('GET', s('/source'));
const attribute = async (selector, name) =>
  wd('GET', s(`/element/${await waitFor(selector)}/attribute/${name}`));
const run = (script, args = []) => wd('POST', s('/execute/sync'), { script, args });

/**
 * Calls one of the app's commands from the page, as the UI does after a file is dropped:
 * WebDriver can drive neither the native file chooser nor a drag from the desktop.
 */
async function invoke(command, args) {
  const script = 'const done = arguments[arguments.length - 1];'
    + ' window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])'
    + '   .then((value) => done({ ok: true, value }), (failure) => done({ ok: false, failure }));';
  // Not `error`: WebDriver reads a result's `error` field as its own failure.
  return wd('POST', s('/execute/async'), { script, args: [command, args] }, 60_000);
}

/** Runs xdotool on the test's display: it types into the native file chooser as a person would. */
function xdotool(...args) {
  const result = spawnSync('xdotool', args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw new Error(`xdotool ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`xdotool ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Scrolls the element to the top of the window, for a screenshot. */
async function scrollTo(selector) {
  await waitFor(selector);
  await run('document.querySelector(arguments[0]).scrollIntoView({ block: arguments[1] });', [selector, 'start']);
}

/** A short mono 16-bit PCM WAV recording of a 440 Hz tone, with `note` in a chunk after it. */
function wavTone(note, seconds = 0.5, rate = 8000) {
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  }
  const chunk = (id, body) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const format = Buffer.alloc(16);
  format.writeUInt16LE(1, 0); // PCM
  format.writeUInt16LE(1, 2); // mono
  format.writeUInt32LE(rate, 4);
  format.writeUInt32LE(rate * 2, 8);
  format.writeUInt16LE(2, 12);
  format.writeUInt16LE(16, 14);
  const body = Buffer.concat([
    Buffer.from('WAVE', 'ascii'),
    chunk('fmt ', format),
    chunk('data', data),
    chunk('note', Buffer.from(note, 'utf8')),
  ]);
  return chunk('RIFF', body);
}

/** Waits until the page has painted twice, so a screenshot shows what the DOM holds. */
async function painted() {
  const script = 'const done = arguments[arguments.length - 1];'
    + ' requestAnimationFrame(() => requestAnimationFrame(() => done(true)));';
  await wd('POST', s('/execute/async'), { script, args: [] }, 10_000);
}

async function screenshot(name) {
  await painted();
  const png = await wd('GET', s('/screenshot'), undefined, 20_000);
  writeFileSync(join(SCREENSHOTS, `${name}.png`), Buffer.from(png, 'base64'));
}

// ---------------------------------------------------------------- processes and files

/** The app's pid: a descendant of tauri-driver (through WebKitWebDriver) running APP. */
function findAppPid() {
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
  const queue = [...(children.get(DRIVER_PID) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift();
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === APP) return pid;
    } catch {
      // not ours to read, or gone
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return null;
}

function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const webviewDirs = () => readdirSync(RUNTIME_DIR).filter((name) => name.startsWith('aigaq-webview-'));

/** Every regular file under `dir` (symlinks not followed), optionally only recent ones. */
function* files(dir, { since = 0, skip = [] } = {}) {
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

const NEEDLES = [Buffer.from(CANARY, 'utf8'), Buffer.from(CANARY, 'utf16le')];
const CHUNK = 4 * 1024 * 1024;
const OVERLAP = Math.max(...NEEDLES.map((n) => n.length)) - 1;

/** Whether the file's bytes contain a needle; read in chunks, so any size is fine. */
function holdsCanary(path) {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false; // gone meanwhile, or a socket
  }
  try {
    const buffer = Buffer.alloc(CHUNK + OVERLAP);
    let carried = 0;
    for (;;) {
      const read = readSync(fd, buffer, carried, CHUNK, null);
      if (read === 0) return false;
      const window = buffer.subarray(0, carried + read);
      if (NEEDLES.some((needle) => window.includes(needle))) return true;
      carried = Math.min(OVERLAP, window.length);
      window.copy(buffer, 0, window.length - carried);
    }
  } finally {
    closeSync(fd);
  }
}

/** Files under the given roots whose bytes contain the canary in UTF-8 or UTF-16LE. */
function scanForCanary(roots) {
  const hits = [];
  let scanned = 0;
  for (const { dir, since, skip } of roots) {
    for (const { path } of files(dir, { since, skip })) {
      scanned += 1;
      if (holdsCanary(path)) hits.push(path);
    }
  }
  return { hits, scanned };
}

// ---------------------------------------------------------------- the checks

const results = [];
let stopped = false;

async function check(name, body) {
  if (stopped) {
    results.push({ name, status: 'not run' });
    return;
  }
  const started = Date.now();
  try {
    await body();
    results.push({ name, status: 'passed' });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, status: 'failed' });
    console.log(`FAIL ${name}\n     ${error instanceof Error ? error.message : error}`);
    if (session) await screenshot(`failed-${results.length}`).catch(() => {});
    stopped = true;
  }
}

async function main() {
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The canary itself is never printed: this output may be captured to a file under /tmp,
  // which the final scan reads.
  console.log(`app: ${APP}`);

  await check('a WebDriver session starts the app', async () => {
    const created = await wd('POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application: APP } } },
    }, 60_000);
    session = created.sessionId;
  });

  await check('a new vault folder shows the create-vault screen', async () => {
    await waitFor(byTestId('screen-create'));
    const folder = await text(byTestId('vault-folder'));
    if (!folder.includes(VAULT)) throw new Error(`the screen names ${folder}, not ${VAULT}`);
    await screenshot('01-create-vault');
  });

  await check('two different passphrases are refused before anything is created', async () => {
    await type(byTestId('create-passphrase'), PASSPHRASE);
    await type(byTestId('create-repeat'), `${PASSPHRASE}!`);
    await click(byTestId('create-submit'));
    await waitFor(byTestId('create-problem'));
    if (statSync(VAULT, { throwIfNoEntry: false })) throw new Error(`${VAULT} was created`);
    await screenshot('02-passphrases-differ');
  });

  await check('creating the vault shows a busy indicator, then the empty vault', async () => {
    await type(byTestId('create-repeat'), PASSPHRASE);
    await click(byTestId('create-submit'));
    await waitFor(byTestId('busy'), 5_000);
    await screenshot('03-creating');
    await waitFor(byTestId('screen-vault'), 30_000);
    await waitFor(byTestId('list-empty'));
    await screenshot('04-empty-vault');
  });

  await check('the form refuses a testimony without narrative and consent', async () => {
    await click(byTestId('add-submit'));
    await waitFor(byTestId('add-problem-narrative'));
    await waitFor(byTestId('add-problem-identity'));
  });

  await check('a testimony added from the form appears in the list', async () => {
    await type(byTestId('add-narrative'), NARRATIVE);
    await click(byTestId('add-identity-pseudonymous'));
    await type(byTestId('add-date'), '2022-02-03');
    await type(byTestId('add-place'), 'Almaty');
    await screenshot('05-form-filled');
    await click(byTestId('add-submit'));
    await waitFor(byTestId('add-saved'));
    await waitUntil('the list shows the canary', async () => (await text(byTestId('testimony-list'))).includes(CANARY));
    const items = await findAll(byTestId('testimony-item'));
    if (items.length !== 1) throw new Error(`${items.length} items in the list, expected 1`);
    const item = await text(byTestId('testimony-item'));
    for (const expected of [WITNESS_WORDS, '2022-02-03', 'Almaty', 'Draft']) {
      if (!item.includes(expected)) throw new Error(`the item does not show ${expected}: ${item}`);
    }
    await screenshot('06-testimony-listed');
  });

  await check('the language switcher shows the vault in Kazakh and Russian', async () => {
    await click(byTestId('lang-kk'));
    await waitUntil('the lock button is in Kazakh', async () => (await text(byTestId('lock-button'))) === 'Құлыптау');
    if (!(await text(byTestId('testimony-item'))).includes('Жоба')) throw new Error('status label not in Kazakh');
    await screenshot('07-kazakh');
    await click(byTestId('lang-ru'));
    await waitUntil('the lock button is in Russian', async () => (await text(byTestId('lock-button'))) === 'Заблокировать');
    await screenshot('08-russian');
  });

  await check('locking drops the session and reloads to the unlock screen', async () => {
    const before = webviewDirs().map((d) => scanForCanary([{ dir: join(RUNTIME_DIR, d), since: 0, skip: [] }]));
    const held = before.flatMap((r) => r.hits).length;
    console.log(`     before lock, ${held} file(s) in the web view folder held the canary`);
    await click(byTestId('lock-button'));
    await waitFor(byTestId('screen-unlock'), 15_000);
    if ((await source()).includes(CANARY)) throw new Error('the page still holds the canary after lock');
    const dirs = webviewDirs();
    if (dirs.length !== 1) throw new Error(`expected one web view folder, found ${dirs.length}`);
    const { hits } = scanForCanary([{ dir: join(RUNTIME_DIR, dirs[0]), since: 0, skip: [] }]);
    if (hits.length > 0) throw new Error(`the web view folder still holds the canary: ${hits.join(', ')}`);
    await screenshot('09-locked');
  });

  await check('a wrong passphrase is refused with the translated message', async () => {
    // The page was reloaded, so the language is the system's again; show the error in Russian.
    await click(byTestId('lang-ru'));
    await type(byTestId('unlock-passphrase'), WRONG_PASSPHRASE);
    await click(byTestId('unlock-submit'));
    await waitFor('[data-testid="error"][data-kind="wrong_passphrase"]', 30_000);
    const message = await text(byTestId('error'));
    if (!message.startsWith('Неверная парольная фраза')) throw new Error(`message shown: ${message}`);
    if ((await findAll(byTestId('screen-vault'))).length > 0) throw new Error('the vault opened');
    await screenshot('10-wrong-passphrase');
  });

  await check('the right passphrase opens the vault again with the testimony in it', async () => {
    await click(byTestId('lang-en'));
    await type(byTestId('unlock-passphrase'), PASSPHRASE);
    await click(byTestId('unlock-submit'));
    await waitFor(byTestId('busy'), 5_000);
    await screenshot('11-unlocking');
    await waitFor(byTestId('screen-vault'), 30_000);
    await waitUntil('the list shows the canary', async () => (await text(byTestId('testimony-list'))).includes(CANARY));
    await screenshot('12-unlocked-again');
  });

  let testimonyId = null;
  const attachment = (type) => `[data-testid="attachment"][data-type="${type}"]`;
  const PHOTO = attachment('image/jpeg');

  await check('clicking a testimony opens it in full, with no attachments yet', async () => {
    await click(byTestId('testimony-item'));
    await waitFor(byTestId('detail-testimony'));
    testimonyId = await attribute(byTestId('detail-testimony'), 'data-id');
    const narrative = await text(byTestId('detail-narrative'));
    if (!narrative.includes(WITNESS_WORDS)) throw new Error(`the narrative shown: ${narrative}`);
    const shown = {
      'detail-date': '2022-02-03',
      'detail-place': 'Almaty',
      'detail-status': 'Draft',
      'detail-revision': 'No. 1',
      'detail-delivered': 'Not yet delivered',
    };
    for (const [id, expected] of Object.entries(shown)) {
      const value = await text(byTestId(id));
      if (!value.includes(expected)) throw new Error(`${id} shows ${value}, not ${expected}`);
    }
    await waitFor(byTestId('attach-empty'));
    await waitFor(byTestId('attach-add'));
    // The section listens for files dropped on the window (a core event permission).
    await sleep(300);
    const problems = await findAll(`${byTestId('attachments')} ${byTestId('error')}`);
    if (problems.length > 0) throw new Error(`the attachments section shows an error: ${await text(byTestId('error'))}`);
    await screenshot('13-testimony-detail');
  });

  await check('a photo, a note and a recording are attached, all or none, each once', async () => {
    mkdirSync(SOURCES);
    // The canary rides after the photo's end marker, so its preview must not reach a file.
    const photo = join(SOURCES, 'IMG_0042.jpg');
    writeFileSync(photo, Buffer.concat([readFileSync(join(ROOT, 'tests/fixtures/exif-gps.jpg')), Buffer.from(CANARY)]));
    const note = join(SOURCES, 'note.txt');
    writeFileSync(note, `${NARRATIVE}\n`);
    const voice = join(SOURCES, 'voice.wav');
    writeFileSync(voice, wavTone(CANARY));

    const refused = await invoke('attach_files', { id: testimonyId, paths: [note, join(SOURCES, 'missing.jpg')] });
    if (refused.ok || refused.failure?.kind !== 'invalid_input') {
      throw new Error(`a missing file was not refused: ${JSON.stringify(refused)}`);
    }
    const relative = await invoke('attach_files', { id: testimonyId, paths: ['note.txt'] });
    if (relative.ok || relative.failure?.kind !== 'invalid_input') {
      throw new Error(`a relative path was not refused: ${JSON.stringify(relative)}`);
    }
    const attached = await invoke('attach_files', { id: testimonyId, paths: [photo, note, voice] });
    if (!attached.ok) throw new Error(`attach_files failed: ${JSON.stringify(attached.failure)}`);
    const types = attached.value.map((a) => a.media_type);
    if (types[0] !== 'image/jpeg' || types[1] !== 'text/plain' || !types[2]?.startsWith('audio/')) {
      throw new Error(`stored as ${types.join(', ')}`);
    }
    const fields = attached.value[0].warnings.map((w) => w.field);
    for (const field of ['gps_position', 'camera_serial', 'owner_name']) {
      if (!fields.includes(field)) throw new Error(`no ${field} warning: ${fields.join(', ')}`);
    }
    const again = await invoke('attach_files', { id: testimonyId, paths: [note] });
    if (!again.ok || again.value[0]?.already_attached !== true) {
      throw new Error(`attaching the note again: ${JSON.stringify(again)}`);
    }
    rmSync(SOURCES, { recursive: true });
  });

  await check('the attachments are listed with the photo’s GPS position, serial and owner in view', async () => {
    // The page learns of files attached behind its back when the testimony is opened again.
    await click(byTestId('detail-back'));
    await waitFor(byTestId('screen-vault'));
    await click(byTestId('testimony-item'));
    await waitUntil('three attachments are listed', async () => (await findAll(byTestId('attachment'))).length === 3);
    const revision = await text(byTestId('detail-revision'));
    if (!revision.includes('No. 4')) throw new Error(`one revision per new file expected, shown: ${revision}`);
    const name = await text(`${PHOTO} ${byTestId('attachment-name')}`);
    if (name !== 'IMG_0042.jpg') throw new Error(`the photo is listed as ${name}`);
    const warnings = await text(`${PHOTO} ${byTestId('attachment-warnings')}`);
    for (const expected of [
      'Risky metadata',
      'GPS position:',
      'N,',
      'Camera serial number: SN-FIXTURE-0042',
      "Owner's name: Aigerim Fixture-Owner",
      'Time taken: 2022-01-05',
      'Camera: FixturePhone Model X',
    ]) {
      if (!warnings.includes(expected)) throw new Error(`the warnings do not show ${expected}: ${warnings}`);
    }
    const sha = await attribute(PHOTO, 'data-sha256');
    const title = await attribute(`${PHOTO} ${byTestId('attachment-sha256')}`, 'title');
    if (title !== sha || !/^[0-9a-f]{64}$/.test(sha)) throw new Error(`hash ${sha}, title ${title}`);
    const note = attachment('text/plain');
    if ((await findAll(`${note} ${byTestId('attachment-warnings')}`)).length > 0) throw new Error('the note has warnings');
    if ((await findAll(`${note} ${byTestId('attachment-preview')}`)).length > 0) throw new Error('the note has a preview');
  });

  await check('the photo and the recording preview from memory through the aigaq-media scheme', async () => {
    const expected = `aigaq-media://localhost/${testimonyId}/`;
    let last = null;
    try {
      await waitUntil('the photo preview has decoded', async () => {
        last = await run(
          'const img = document.querySelector(arguments[0]);'
            + ' return img && { src: img.src, complete: img.complete, width: img.naturalWidth };',
          [`${PHOTO} img`],
        );
        return last !== null && last.complete && last.width > 0;
      });
    } catch (error) {
      throw new Error(`${error.message}: ${JSON.stringify(last)}`);
    }
    if (!last.src.startsWith(expected)) throw new Error(`the photo loads from ${last.src}`);
    try {
      await waitUntil('the recording’s length is known', async () => {
        last = await run(
          'const a = document.querySelector(arguments[0]);'
            + ' return a && { src: a.src, ready: a.readyState, duration: a.duration, error: a.error && a.error.code };',
          ['[data-testid="attachment"][data-type^="audio/"] audio'],
        );
        return last !== null && last.ready >= 1 && last.duration > 0.4;
      });
    } catch (error) {
      const item = await run('const e = document.querySelector(arguments[0]); return e && e.outerHTML;', ['[data-testid="attachment"][data-type^="audio/"]']);
      throw new Error(`${error.message}: ${JSON.stringify(last)} ${item}`);
    }
    // WebKitGTK's media player cannot read a custom scheme: the page fetched the bytes from
    // it and plays them from memory.
    if (!last.src.startsWith('blob:')) throw new Error(`the recording loads from ${last.src}`);
    await scrollTo(byTestId('attachments'));
    await screenshot('14-attachments');
  });

  await check('the warnings read in Kazakh too', async () => {
    await click(byTestId('lang-kk'));
    await waitUntil('the warnings are in Kazakh', async () =>
      (await text(`${PHOTO} ${byTestId('attachment-warnings')}`)).includes('GPS координаттары:'));
    await scrollTo(byTestId('attachments'));
    await screenshot('15-attachments-kazakh');
    await click(byTestId('lang-en'));
  });

  await check('the media scheme serves only previews of this vault, never to be cached', async () => {
    const load = 'const done = arguments[arguments.length - 1]; const img = new Image();'
      + ' img.onload = () => done("loaded"); img.onerror = () => done("refused"); img.src = arguments[0];';
    const note = await attribute(attachment('text/plain'), 'data-sha256');
    const photo = await attribute(PHOTO, 'data-sha256');
    for (const url of [
      `aigaq-media://localhost/${testimonyId}/${note}`,
      `aigaq-media://localhost/${testimonyId}/${'0'.repeat(64)}`,
      `aigaq-media://localhost/${randomUUID()}/${photo}`,
      `aigaq-media://localhost/${testimonyId}/${photo.slice(0, 16)}`,
    ]) {
      const outcome = await wd('POST', s('/execute/async'), { script: load, args: [url] });
      if (outcome !== 'refused') throw new Error(`${url}: ${outcome}`);
    }
    const read = 'const done = arguments[arguments.length - 1];'
      + ' fetch(arguments[0]).then(async (r) => done({ status: r.status, type: r.headers.get("content-type"),'
      + '   cache: r.headers.get("cache-control"), size: (await r.arrayBuffer()).byteLength }),'
      + '   (e) => done({ failed: String(e) }));';
    const served = await wd('POST', s('/execute/async'), {
      script: read,
      args: [`aigaq-media://localhost/${testimonyId}/${photo}`],
    });
    if (served.status !== 200 || served.type !== 'image/jpeg' || served.cache !== 'no-store' || !(served.size > 0)) {
      throw new Error(`the photo was served as ${JSON.stringify(served)}`);
    }
    const refused = await wd('POST', s('/execute/async'), {
      script: read,
      args: [`aigaq-media://localhost/${testimonyId}/${note}`],
    });
    if (refused.status !== 415 || refused.size !== 0 || refused.cache !== 'no-store') {
      throw new Error(`the note was answered with ${JSON.stringify(refused)}`);
    }
  });

  await check('while the previews are shown, no file holds their decrypted bytes', async () => {
    // The photo and the recording carry the canary; the web view's own folder included.
    const { hits, scanned } = scanForCanary([
      { dir: SCRATCH, since: 0, skip: [] },
      { dir: '/dev/shm', since: 0, skip: [] },
    ]);
    if (webviewDirs().length !== 1) throw new Error('the web view folder is not there to scan');
    console.log(`     scanned ${scanned} files`);
    if (hits.length > 0) throw new Error(`canary found in: ${hits.join(', ')}`);
  });

  await check('“Add files…” opens the system file chooser, and the file picked there is attached', async () => {
    mkdirSync(SOURCES);
    const scan = join(SOURCES, 'scan_0007.png');
    writeFileSync(scan, Buffer.concat([readFileSync(join(ROOT, 'tests/fixtures/exif-gps.png')), Buffer.from(CANARY)]));
    try {
      await click(byTestId('attach-add'));
      // The chooser is a native GTK window, not part of the page: find it on the display,
      // type the file's path (a leading / opens GTK's location field) and press Enter.
      const dialog = xdotool('search', '--sync', '--onlyvisible', '--name', '^Choose files to attach$').split('\n')[0];
      xdotool('windowfocus', '--sync', dialog);
      await sleep(500);
      xdotool('type', '--delay', '30', scan);
      await sleep(300);
      xdotool('key', 'Return');
      await waitUntil('four attachments are listed', async () => (await findAll(byTestId('attachment'))).length === 4, 30_000);
      const done = await text(byTestId('attach-done'));
      if (!done.includes('Files attached: 1.')) throw new Error(`the section says: ${done}`);
      const warnings = await text(`${attachment('image/png')} ${byTestId('attachment-warnings')}`);
      if (!warnings.includes('GPS position:')) throw new Error(`the PNG's warnings: ${warnings}`);
      await scrollTo(attachment('image/png'));
      await screenshot('16-picked-in-file-chooser');
    } finally {
      rmSync(SOURCES, { recursive: true, force: true });
    }
    // GTK records every file its chooser opens in the user's recent files; the app turned that off.
    const recent = join(env('XDG_DATA_HOME'), 'recently-used.xbel');
    const listed = statSync(recent, { throwIfNoEntry: false }) ? readFileSync(recent, 'utf8') : '';
    if (listed.includes('scan_0007')) throw new Error(`${recent} names the file picked`);
  });

  await check('the window may call only the commands its capability grants', async () => {
    // The page's own IPC entry point, as @tauri-apps/api uses it; core plugins are not granted.
    const script = 'const done = arguments[arguments.length - 1];'
      + ' window.__TAURI_INTERNALS__.invoke(arguments[0], {})'
      + '   .then((v) => done({ ok: true, value: String(v) }), (e) => done({ ok: false, reason: String(e) }));';
    const allowed = await wd('POST', s('/execute/async'), { script, args: ['vault_status'] });
    if (!allowed.ok) throw new Error(`vault_status was refused: ${allowed.reason}`);
    const refused = [
      'plugin:app|version',
      'plugin:webview|get_all_webviews',
      'plugin:window|title',
      'plugin:dialog|open',
      'plugin:dialog|message',
    ];
    for (const command of refused) {
      const result = await wd('POST', s('/execute/async'), { script, args: [command] });
      if (result.ok) throw new Error(`${command} was allowed`);
      if (!/not allowed/i.test(result.reason)) throw new Error(`${command} failed otherwise: ${result.reason}`);
    }
  });

  await check('the web view keeps its data in one private throwaway folder', async () => {
    const dirs = webviewDirs();
    if (dirs.length !== 1) throw new Error(`expected one web view folder in ${RUNTIME_DIR}, found ${dirs.length}`);
    const mode = statSync(join(RUNTIME_DIR, dirs[0])).mode & 0o777;
    if (mode !== 0o700) throw new Error(`the folder has mode ${mode.toString(8)}`);
  });

  await check('the app exits cleanly on SIGTERM and removes the web view folder', async () => {
    const pid = findAppPid();
    if (!pid) throw new Error(`no running ${APP} under tauri-driver (pid ${DRIVER_PID})`);
    process.kill(pid, 'SIGTERM');
    await waitUntil('the app has exited', async () => !isRunning(pid), 15_000);
    await wd('DELETE', s(''), undefined, 10_000).catch(() => {});
    session = null;
    const left = webviewDirs();
    if (left.length > 0) throw new Error(`left behind: ${left.join(', ')}`);
  });

  await check('run as users run it (incognito, no WebDriver) the app leaves no file behind', async () => {
    const before = new Set([...files(SCRATCH)].map((f) => f.path));
    const env = { ...process.env };
    delete env.TAURI_WEBVIEW_AUTOMATION;
    delete env.TAURI_AUTOMATION;
    const child = spawn(APP, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await waitUntil('the web view folder exists', async () => webviewDirs().length === 1, 15_000);
      await sleep(3000);
      if (child.exitCode !== null) throw new Error(`the app exited early (${child.exitCode}): ${stderr}`);
      child.kill('SIGTERM');
      const { code, signal } = await Promise.race([
        exited,
        sleep(15_000).then(() => ({ code: 'timeout', signal: null })),
      ]);
      if (code !== 0) throw new Error(`exit ${code ?? signal}: ${stderr}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const added = [...files(SCRATCH)].map((f) => f.path).filter((path) => !before.has(path));
    if (added.length > 0) throw new Error(`files left behind: ${added.join(', ')}`);
    if (webviewDirs().length > 0) throw new Error(`web view folder left behind: ${webviewDirs().join(', ')}`);
  });

  await check('the vault holds the testimony only encrypted', async () => {
    const db = statSync(join(VAULT, 'vault.db'), { throwIfNoEntry: false });
    if (!db || db.size === 0) throw new Error('no vault.db');
    const { hits } = scanForCanary([{ dir: VAULT, since: 0, skip: [] }]);
    if (hits.length > 0) throw new Error(`plaintext canary in: ${hits.join(', ')}`);
  });

  await check('the scan finds a planted canary in UTF-8 and in UTF-16LE, across read chunks', async () => {
    const control = join(SCRATCH, 'scan-control');
    mkdirSync(control);
    writeFileSync(join(control, 'utf8.bin'), Buffer.concat([Buffer.from([0, 1, 2]), NEEDLES[0]]));
    writeFileSync(join(control, 'utf16le.bin'), Buffer.from(`x${NARRATIVE}`, 'utf16le'));
    writeFileSync(join(control, 'clean.bin'), Buffer.from(CANARY.slice(0, -1), 'utf8'));
    writeFileSync(join(control, 'straddle.bin'), Buffer.concat([Buffer.alloc(CHUNK - 5), NEEDLES[1]]));
    const { hits } = scanForCanary([{ dir: control, since: 0, skip: [] }]);
    rmSync(control, { recursive: true });
    const found = hits.map((h) => h.slice(control.length + 1)).sort().join(' ');
    if (found !== 'straddle.bin utf16le.bin utf8.bin') throw new Error(`the scan found: ${found || 'nothing'}`);
  });

  await check('no file the app could write holds the canary (UTF-8 or UTF-16LE)', async () => {
    const since = STARTED - 1000;
    const roots = [
      { dir: SCRATCH, since: 0, skip: [] },
      { dir: '/dev/shm', since: 0, skip: [] },
      { dir: '/tmp', since, skip: [SCRATCH, '/tmp/.X11-unix'] },
      ...['.cache', '.local', '.config'].map((d) => ({ dir: join(ORIGINAL_HOME, d), since, skip: [] })),
    ];
    const { hits, scanned } = scanForCanary(roots);
    console.log(`     scanned ${scanned} files`);
    if (hits.length > 0) throw new Error(`canary found in: ${hits.join(', ')}`);
  });
}

try {
  await main();
} catch (error) {
  console.log(`FAIL the test itself: ${error instanceof Error ? error.stack : error}`);
  results.push({ name: 'the test itself', status: 'failed' });
} finally {
  if (session) await wd('DELETE', s(''), undefined, 10_000).catch(() => {});
}

const passed = results.filter((r) => r.status === 'passed').length;
const failed = results.filter((r) => r.status === 'failed').length;
const notRun = results.filter((r) => r.status === 'not run').length;
// Written synchronously: console.log to a pipe may be lost when the process exits.
writeSync(1, `${passed} passed, ${failed} failed${notRun > 0 ? ` (${notRun} not run)` : ''}\n`);
process.exit(failed === 0 && notRun === 0 ? 0 : 1);
