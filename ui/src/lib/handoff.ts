// What the hand-over screens show: which organisations a testimony may go to, and what an
// export or an acknowledgement means for the person reading it. Pure functions; the core
// decides everything again (names are matched there the same way).

import type { AckImported, ExportReport, ImportedBundle, ReceivedRevision, Recipient } from './api';
import type { MessageKey, Params } from './i18n';

/** Case and surrounding spaces do not make another organisation (as in the core). */
export function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** One organisation the consent section offers. */
export interface SharingChoice {
  name: string;
  /** On this device's list; a name that is not can only be removed. */
  known: boolean;
}

/**
 * The organisations on this device's list, by name, then any the testimony names that the
 * list does not have (written in a testimony added from a file, or since removed).
 */
export function sharingChoices(recipients: readonly Recipient[], shareWith: readonly string[]): SharingChoice[] {
  const choices: SharingChoice[] = recipients.map((r) => ({ name: r.name, known: true }));
  for (const name of shareWith) {
    if (!choices.some((c) => sameName(c.name, name))) choices.push({ name, known: false });
  }
  return choices;
}

/** The names in `shareWith` as the choices spell them: what the boxes start ticked with. */
export function ticked(choices: readonly SharingChoice[], shareWith: readonly string[]): string[] {
  return choices.filter((c) => shareWith.some((n) => sameName(n, c.name))).map((c) => c.name);
}

/** Whether two selections name the same organisations, whatever the order. */
export function sameSelection(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => sameName(x, y)));
}

/** One line of what an export did, ready for `t`. */
export interface Line {
  key: MessageKey;
  params?: Params;
  /** Something the user must act on or know before handing the file over. */
  warning?: boolean;
}

/** What the user should know about the bundle just written, most important last. */
export function exportLines(report: ExportReport): Line[] {
  const lines: Line[] = [
    {
      key: 'handoff.exported',
      params: { count: report.records, attachments: report.attachments, recipient: report.recipient },
    },
  ];
  for (const file of report.stripped) {
    lines.push({ key: 'handoff.stripped', params: { name: file.name, removed: file.removed.join(', ') } });
  }
  if (report.left_for_next > 0) {
    lines.push({ key: 'handoff.left_for_next', params: { count: report.left_for_next }, warning: true });
  }
  if (report.sent_with_metadata.length > 0) {
    lines.push({ key: 'handoff.sent_with_metadata', params: { names: report.sent_with_metadata.join(', ') }, warning: true });
  }
  return lines;
}

/** What one acknowledgement changed, and whether its signer needs checking by another channel. */
export function ackLines(ack: AckImported): Line[] {
  const lines: Line[] = [
    {
      key: 'handoff.ack_imported',
      params: { recipient: ack.recipient, count: ack.new_revisions, known: ack.known_revisions },
    },
  ];
  if (ack.signer_is_new && ack.earlier_signers > 0) {
    lines.push({
      key: 'handoff.ack_other_signer',
      params: { recipient: ack.recipient, fingerprint: ack.signer_fingerprint },
      warning: true,
    });
  } else if (ack.signer_is_new) {
    lines.push({ key: 'handoff.ack_first', params: { recipient: ack.recipient, fingerprint: ack.signer_fingerprint } });
  }
  return lines;
}

/** What importing one bundle did, and what the analyst must check or ask for. */
export function importLines(bundle: ImportedBundle): Line[] {
  const from = bundle.sender_name ? `${bundle.sender_name} (${bundle.sender_fingerprint})` : bundle.sender_fingerprint;
  const lines: Line[] = [
    {
      key: 'receive.imported',
      params: { from, count: bundle.new_revisions, known: bundle.known_revisions, attachments: bundle.new_attachments },
    },
  ];
  if (bundle.new_sender) {
    lines.push({ key: 'receive.new_sender', params: { fingerprint: bundle.sender_fingerprint }, warning: true });
  }
  if (bundle.ledger_gaps.length > 0) {
    const gaps = bundle.ledger_gaps.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
    lines.push({ key: 'receive.gaps', params: { gaps }, warning: true });
  }
  if (bundle.missing_attachments.length > 0) {
    lines.push({ key: 'receive.missing', params: { count: bundle.missing_attachments.length }, warning: true });
  }
  return lines;
}

/** One received testimony: how many of its revisions are held, the newest and its sender. */
export interface ReceivedTestimony {
  id: string;
  revisions: number;
  latest: ReceivedRevision;
}

/** The revisions received, by testimony, the most recently received first. */
export function receivedTestimonies(rows: readonly ReceivedRevision[]): ReceivedTestimony[] {
  const byId = new Map<string, ReceivedTestimony>();
  for (const row of rows) {
    const seen = byId.get(row.id);
    if (seen === undefined) byId.set(row.id, { id: row.id, revisions: 1, latest: row });
    else {
      seen.revisions += 1;
      if (row.received_at >= seen.latest.received_at) seen.latest = row;
    }
  }
  return [...byId.values()].sort((a, b) => b.latest.received_at.localeCompare(a.latest.received_at) || a.id.localeCompare(b.id));
}

/**
 * For a new organisation key's passphrase, typed twice: none at all leaves the file
 * unprotected; otherwise both must be the same. The core judges strength.
 */
export function checkKeyPassphrase(first: string, second: string): MessageKey | null {
  if (first === '' && second === '') return null;
  if (first !== second) return 'create.mismatch';
  return null;
}
