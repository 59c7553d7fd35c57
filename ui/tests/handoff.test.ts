import { describe, expect, it } from 'vitest';
import type { AckImported, ExportReport, ImportedBundle, ReceivedRevision, Recipient } from '../src/lib/api';
import { describeHandoffError } from '../src/lib/errors';
import {
  ackLines,
  checkKeyPassphrase,
  exportLines,
  importLines,
  receivedTestimonies,
  sameName,
  sameSelection,
  sharingChoices,
  ticked,
} from '../src/lib/handoff';
import { LOCALES, translate } from '../src/lib/i18n';

const org = (name: string): Recipient => ({
  name,
  recipient: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq',
  fingerprint: '1a2b 3c4d 5e6f 7081 92a3',
  added_at: '2026-11-24T10:00:00Z',
});

const report = (over: Partial<ExportReport> = {}): ExportReport => ({
  recipient: 'KIBHR Almaty',
  bundle_id: 'b1',
  path: '/media/usb/4f1c.age',
  records: 3,
  bytes: 9000,
  attachments: 1,
  attachment_bytes: 5000,
  sent_with_metadata: [],
  stripped: [],
  left_for_next: 0,
  ...over,
});

const ack = (over: Partial<AckImported> = {}): AckImported => ({
  ack_id: 'a1',
  recipient: 'KIBHR Almaty',
  signer_fingerprint: 'aaaa bbbb cccc dddd eeee',
  signer_is_new: false,
  earlier_signers: 0,
  new_revisions: 2,
  known_revisions: 1,
  new_attachments: 0,
  ...over,
});

describe('sharing choices', () => {
  it('matches names as the core does: case and surrounding spaces do not count', () => {
    expect(sameName(' kibhr ALMATY ', 'KIBHR Almaty')).toBe(true);
    expect(sameName('Мемориал', 'МЕМОРИАЛ')).toBe(true);
    expect(sameName('KIBHR', 'KIBHR Almaty')).toBe(false);
  });

  it('offers the known organisations, then names the testimony has that the list does not', () => {
    const choices = sharingChoices([org('KIBHR Almaty'), org('Memorial')], ['memorial', 'Old partner']);
    expect(choices).toEqual([
      { name: 'KIBHR Almaty', known: true },
      { name: 'Memorial', known: true },
      { name: 'Old partner', known: false },
    ]);
    // Ticked as the list spells them, so the boxes and the saved names agree.
    expect(ticked(choices, ['memorial', 'Old partner'])).toEqual(['Memorial', 'Old partner']);
    expect(ticked(choices, [])).toEqual([]);
  });

  it('tells a changed selection from the same one in another order or case', () => {
    expect(sameSelection(['A', 'B'], ['b', 'a'])).toBe(true);
    expect(sameSelection(['A'], ['A', 'B'])).toBe(false);
    expect(sameSelection([], [])).toBe(true);
    expect(sameSelection(['A', 'C'], ['A', 'B'])).toBe(false);
  });
});

describe('what an export says', () => {
  it('says for whom and how much, in every language', () => {
    const [first] = exportLines(report());
    expect(first?.key).toBe('handoff.exported');
    for (const locale of LOCALES) {
      const text = translate(first!.key, locale, first!.params);
      expect(text).toContain('KIBHR Almaty');
      expect(text).toContain('3');
      expect(text).not.toMatch(/\{\w+\}/);
    }
  });

  it('ends with what the user must act on: metadata sent, and testimonies left for the next bundle', () => {
    const lines = exportLines(
      report({
        stripped: [{ name: 'IMG_1.jpg', removed: ['gps_position', 'camera_serial'] }],
        left_for_next: 4,
        sent_with_metadata: ['scan.tif', 'call.m4a'],
      }),
    );
    expect(lines.map((l) => l.key)).toEqual([
      'handoff.exported',
      'handoff.stripped',
      'handoff.left_for_next',
      'handoff.sent_with_metadata',
    ]);
    expect(lines.filter((l) => l.warning).map((l) => l.key)).toEqual(['handoff.left_for_next', 'handoff.sent_with_metadata']);
    expect(translate(lines[1]!.key, 'en', lines[1]!.params)).toBe('IMG_1.jpg: sent as a copy without gps_position, camera_serial.');
    expect(translate(lines[3]!.key, 'ru', lines[3]!.params)).toContain('scan.tif, call.m4a');
  });
});

describe('what an acknowledgement says', () => {
  it('counts what the organisation newly confirmed', () => {
    const lines = ackLines(ack());
    expect(lines).toHaveLength(1);
    expect(translate(lines[0]!.key, 'en', lines[0]!.params)).toBe(
      'KIBHR Almaty confirmed holding more revisions: 2 (1 confirmed before).',
    );
  });

  it('asks to compare the fingerprint of a first signer', () => {
    const lines = ackLines(ack({ signer_is_new: true }));
    expect(lines[1]?.key).toBe('handoff.ack_first');
    expect(lines[1]?.warning).toBeUndefined();
    expect(translate(lines[1]!.key, 'kk', lines[1]!.params)).toContain('aaaa bbbb cccc dddd eeee');
  });

  it('warns when another device signs for an organisation that signed before', () => {
    const lines = ackLines(ack({ signer_is_new: true, earlier_signers: 1 }));
    expect(lines[1]).toMatchObject({ key: 'handoff.ack_other_signer', warning: true });
  });
});

describe('describeHandoffError', () => {
  it('says a refusal was not done, with the core’s reason and remedy', () => {
    for (const kind of ['invalid_input', 'not_found', 'cannot_strip', 'exists']) {
      const message = `${kind}: the reason and what to do`;
      expect(describeHandoffError({ kind, message })).toEqual({ key: 'handoff.failed', detail: message });
    }
  });

  it('leaves the other kinds to the general rules', () => {
    expect(describeHandoffError({ kind: 'locked', message: 'x' })).toEqual({ key: 'error.locked', detail: null });
    expect(describeHandoffError({ kind: 'integrity', message: 'bad signature' })).toEqual({
      key: 'error.integrity',
      detail: 'bad signature',
    });
  });
});

const bundle = (over: Partial<ImportedBundle> = {}): ImportedBundle => ({
  bundle_id: 'b1',
  sender_fingerprint: '2e50 bea9 9256 3c05 a237',
  new_sender: false,
  new_revisions: 3,
  known_revisions: 1,
  new_ledger_entries: 4,
  ledger_gaps: [],
  new_attachments: 2,
  known_attachments: 0,
  missing_attachments: [],
  ...over,
});

describe('what an import says', () => {
  it('names the device, by its name when it gives one, and counts what was new', () => {
    const [line] = importLines(bundle({ sender_name: 'Taraz team' }));
    expect(translate(line!.key, 'en', line!.params)).toBe(
      'From device Taraz team (2e50 bea9 9256 3c05 a237): new revisions 3 (1 held already), new attachments 2.',
    );
    expect(importLines(bundle())).toHaveLength(1);
  });

  it('warns of a new device, ledger gaps and attachments that did not come', () => {
    const lines = importLines(bundle({ new_sender: true, ledger_gaps: [[3, 3], [7, 9]], missing_attachments: ['ab', 'cd'] }));
    expect(lines.map((l) => l.key)).toEqual(['receive.imported', 'receive.new_sender', 'receive.gaps', 'receive.missing']);
    expect(lines.slice(1).every((l) => l.warning)).toBe(true);
    expect(translate(lines[2]!.key, 'ru', lines[2]!.params)).toContain('3, 7–9');
  });
});

describe('receivedTestimonies', () => {
  const row = (id: string, at: string, revision = at): ReceivedRevision => ({
    id,
    revision,
    sender_fingerprint: 'f',
    bundle_id: 'b',
    received_at: at,
  });

  it('groups revisions by testimony, newest received first, with the latest revision', () => {
    const grouped = receivedTestimonies([
      row('a', '2026-11-01T10:00:00Z'),
      row('b', '2026-11-02T10:00:00Z'),
      row('a', '2026-11-03T10:00:00Z'),
    ]);
    expect(grouped.map((g) => [g.id, g.revisions, g.latest.received_at])).toEqual([
      ['a', 2, '2026-11-03T10:00:00Z'],
      ['b', 1, '2026-11-02T10:00:00Z'],
    ]);
    expect(receivedTestimonies([])).toEqual([]);
  });
});

describe('checkKeyPassphrase', () => {
  it('leaves a key unprotected when both fields are empty, else asks for the same twice', () => {
    expect(checkKeyPassphrase('', '')).toBeNull();
    expect(checkKeyPassphrase('long enough words', 'long enough words')).toBeNull();
    expect(checkKeyPassphrase('long enough words', '')).toBe('create.mismatch');
    expect(checkKeyPassphrase('', 'x')).toBe('create.mismatch');
  });
});
