// Plain W3C WebDriver requests to tauri-driver (no client library), and the few helpers the
// test needs on top: find, click, type, read, run a script, press keys, take a screenshot.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const byTestId = (id) => `[data-testid="${id}"]`;

/** WebDriver's codes for special keys. */
export const KEYS = { control: '\uE009', shift: '\uE008', delete: '\uE017', enter: '\uE007', escape: '\uE00C' };

export function webdriver(endpoint, screenshots) {
  let session = null;

  async function wd(method, path, body, timeoutMs = 30_000) {
    const response = await fetch(`${endpoint}${path}`, {
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

  const s = (path) => `/session/${session}${path}`;

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

  const run = (script, args = []) => wd('POST', s('/execute/sync'), { script, args });

  /** Waits until the page has painted twice, so a screenshot shows what the DOM holds. */
  async function painted() {
    const script = 'const done = arguments[arguments.length - 1];'
      + ' requestAnimationFrame(() => requestAnimationFrame(() => done(true)));';
    await wd('POST', s('/execute/async'), { script, args: [] }, 10_000);
  }

  const api = {
    wd,
    get session() {
      return session;
    },
    async start(application) {
      const created = await wd('POST', '/session', {
        capabilities: { alwaysMatch: { 'tauri:options': { application } } },
      }, 60_000);
      session = created.sessionId;
    },
    async end() {
      if (session) await wd('DELETE', s(''), undefined, 10_000).catch(() => {});
      session = null;
    },
    findAll,
    waitFor,
    waitUntil,
    run,
    async gone(selector, timeoutMs = 15_000) {
      await waitUntil(`nothing matches ${selector}`, async () => (await findAll(selector)).length === 0, timeoutMs);
    },
    click: async (selector) => wd('POST', s(`/element/${await waitFor(selector)}/click`), {}),
    text: async (selector) => wd('GET', s(`/element/${await waitFor(selector)}/text`)),
    async type(selector, value) {
      const element = await waitFor(selector);
      await wd('POST', s(`/element/${element}/clear`), {});
      await wd('POST', s(`/element/${element}/value`), { text: value });
    },
    source: () => wd('GET', s('/source')),
    attribute: async (selector, name) => wd('GET', s(`/element/${await waitFor(selector)}/attribute/${name}`)),
    property: async (selector, name) => wd('GET', s(`/element/${await waitFor(selector)}/property/${name}`)),
    /** Presses keys together (`held` down in order, released in reverse) in the focused element. */
    async chord(...keys) {
      const actions = [
        ...keys.map((value) => ({ type: 'keyDown', value })),
        ...[...keys].reverse().map((value) => ({ type: 'keyUp', value })),
      ];
      await wd('POST', s('/actions'), { actions: [{ type: 'key', id: 'keyboard', actions }] });
      await wd('DELETE', s('/actions'));
    },
    /** A double click on the element, as a pointer would. */
    async doubleClick(selector) {
      const element = await waitFor(selector);
      const click = [
        { type: 'pointerDown', button: 0 },
        { type: 'pointerUp', button: 0 },
      ];
      await wd('POST', s('/actions'), {
        actions: [{
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [{ type: 'pointerMove', duration: 0, origin: { [ELEMENT]: element }, x: 0, y: 0 }, ...click, ...click],
        }],
      });
      await wd('DELETE', s('/actions'));
    },
    /**
     * Calls one of the app's commands from the page, as the UI does after a file is dropped:
     * WebDriver can drive neither the native file chooser nor a drag from the desktop.
     */
    async invoke(command, args) {
      // An argument given as '<channel>' becomes a channel whose messages are dropped, as
      // `new Channel()` in @tauri-apps/api makes one (for progress reports).
      const script = 'const done = arguments[arguments.length - 1];'
        + ' const args = Object.fromEntries(Object.entries(arguments[1]).map(([k, v]) => [k, v === "<channel>"'
        + '   ? `__CHANNEL__:${window.__TAURI_INTERNALS__.transformCallback(() => {})}` : v]));'
        + ' window.__TAURI_INTERNALS__.invoke(arguments[0], args)'
        + '   .then((value) => done({ ok: true, value }), (failure) => done({ ok: false, failure }));';
      // Not `error`: WebDriver reads a result's `error` field as its own failure.
      return wd('POST', s('/execute/async'), { script, args: [command, args] }, 60_000);
    },
    async executeAsync(script, args = [], timeoutMs = 30_000) {
      return wd('POST', s('/execute/async'), { script, args }, timeoutMs);
    },
    /** Scrolls the element to the top of the window, for a screenshot. */
    async scrollTo(selector) {
      await waitFor(selector);
      await run('document.querySelector(arguments[0]).scrollIntoView({ block: arguments[1] });', [selector, 'start']);
    },
    async screenshot(name) {
      await painted();
      const png = await wd('GET', s('/screenshot'), undefined, 20_000);
      writeFileSync(join(screenshots, `${name}.png`), Buffer.from(png, 'base64'));
    },
  };
  return api;
}
