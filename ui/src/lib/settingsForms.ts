// Checks for the settings screen that spare the user a round trip; the app and the core
// check everything again (the idle time's bounds are the core's `AUTO_LOCK_MINUTES`).

import type { QuickEntry, SecuritySettings, Settings, Swap } from './api';
import { checkDraft, type DraftProblems, type QuickEntryDraft, toQuickEntry } from './forms';
import type { MessageKey } from './i18n';

export const AUTO_LOCK_MIN = 1;
export const AUTO_LOCK_MAX = 240;
/** What the field takes: six digits. The core refuses only 0. */
export const WIPE_AFTER_MAX = 999_999;
/** As `security::MAX_DECOYS` in the app. */
export const MAX_DECOYS = 20;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: MessageKey };

/** A whole number typed in a field, within bounds. */
function wholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,6}$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return n >= min && n <= max ? n : null;
}

export function parseAutoLockMinutes(text: string): Parsed<number> {
  const n = wholeNumber(text, AUTO_LOCK_MIN, AUTO_LOCK_MAX);
  return n === null ? { ok: false, problem: 'security.minutes_invalid' } : { ok: true, value: n };
}

/** The wipe limit: `null` for never, else a number of failed attempts. */
export function parseWipeAfter(never: boolean, text: string): Parsed<number | null> {
  if (never) return { ok: true, value: null };
  const n = wholeNumber(text, 1, WIPE_AFTER_MAX);
  return n === null ? { ok: false, problem: 'security.wipe_after_invalid' } : { ok: true, value: n };
}

/** A new duress passphrase: typed, and twice the same. The core judges its strength. */
export function checkDuressPassphrase(first: string, second: string): MessageKey | null {
  if (first === '') return 'form.passphrase_empty';
  if (first !== second) return 'security.duress_mismatch';
  return null;
}

export interface DecoyCheck {
  /** The problems of each decoy, in order (empty objects for good ones). */
  problems: DraftProblems[];
  /** Whether all of them may be sent. */
  ok: boolean;
  /** The decoys as the core takes them. */
  entries: QuickEntry[];
}

export function checkDecoys(drafts: readonly QuickEntryDraft[]): DecoyCheck {
  const problems = drafts.map((d) => checkDraft(d));
  return {
    problems,
    ok: drafts.length <= MAX_DECOYS && problems.every((p) => Object.keys(p).length === 0),
    entries: drafts.map((d) => toQuickEntry(d)),
  };
}

/** The settings screen's first section as the user left it, to tell whether it changed. */
export interface GeneralChoice {
  language: string;
  disguise: boolean;
  confirmWipe: boolean;
}

export function generalChoice(settings: Settings): GeneralChoice {
  return { language: settings.language ?? '', disguise: settings.disguise, confirmWipe: settings.confirm_wipe };
}

export function sameChoice(a: GeneralChoice, b: GeneralChoice): boolean {
  return a.language === b.language && a.disguise === b.disguise && a.confirmWipe === b.confirmWipe;
}

/** The wipe limit as a sentence's parts, for the current value shown above the form. */
export function wipeAfterKey(security: SecuritySettings): { key: MessageKey; count: number } {
  return security.wipe_after === null
    ? { key: 'security.wipe_now_never', count: 0 }
    : { key: 'security.wipe_now_after', count: security.wipe_after };
}

/** What the security screen says of the swap; `warn` when testimonies may reach the disk. */
export function swapNotice(swap: Swap): { key: MessageKey; areas: string; warn: boolean } {
  switch (swap.state) {
    case 'off':
      return { key: 'security.swap_off', areas: '', warn: false };
    case 'protected':
      return { key: 'security.swap_protected', areas: '', warn: false };
    case 'unencrypted':
      return { key: 'security.swap_unencrypted', areas: swap.areas.join(', '), warn: true };
    default:
      return { key: 'security.swap_unknown', areas: '', warn: false };
  }
}

/** What the unlock screen says about earlier failed attempts, if anything. */
export function unlockDelay(status: { failed_attempts: number; wait_seconds: number }): {
  count: number;
  seconds: number;
} | null {
  if (status.failed_attempts <= 0 || status.wait_seconds <= 0) return null;
  return { count: status.failed_attempts, seconds: status.wait_seconds };
}
