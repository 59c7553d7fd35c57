// What the hand-over screens show: which organisations a testimony may go to, and what an
// export or an acknowledgement means for the person reading it. Pure functions; the core
// decides everything again (names are matched there the same way).

import type { AckImported, ExportReport, Recipient } from './api';
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
