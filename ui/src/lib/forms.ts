// Convenience checks that spare the user a round trip. The core checks everything again
// (and more): nothing here is a rule the core does not enforce itself, except that a new
// passphrase is typed twice the same way, which only the form can know.

import type { QuickEntry } from './api';
import type { MessageKey } from './i18n';

export interface QuickEntryDraft {
  narrative: string;
  identity: string;
  interviewDate: string;
  interviewPlace: string;
  /** The organisations the witness agreed may receive it (not asked for decoys). */
  shareWith?: string[];
}

export type DraftProblems = Partial<Record<keyof QuickEntryDraft, MessageKey>>;

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

export function emptyDraft(): QuickEntryDraft {
  return { narrative: '', identity: '', interviewDate: '', interviewPlace: '', shareWith: [] };
}

/** What is obviously missing or mistyped in the form. Empty when it may be sent. */
export function checkDraft(draft: QuickEntryDraft): DraftProblems {
  const problems: DraftProblems = {};
  if (draft.narrative.trim() === '') problems.narrative = 'add.narrative_empty';
  if (draft.identity === '') problems.identity = 'add.identity_missing';
  const date = draft.interviewDate.trim();
  if (date !== '' && !DATE_SHAPE.test(date)) problems.interviewDate = 'add.date_format';
  return problems;
}

/** The entry as the core takes it. The narrative is sent exactly as typed. */
export function toQuickEntry(draft: QuickEntryDraft): QuickEntry {
  const entry: QuickEntry = {
    narrative: draft.narrative,
    identity: draft.identity,
    interview_date: draft.interviewDate.trim(),
    interview_place: draft.interviewPlace.trim(),
  };
  if (draft.shareWith && draft.shareWith.length > 0) entry.share_with = [...draft.shareWith];
  return entry;
}

/** For the create-vault form: both fields typed, and the same. The core judges strength. */
export function checkNewPassphrase(first: string, second: string): MessageKey | null {
  if (first === '') return 'form.passphrase_empty';
  if (first !== second) return 'create.mismatch';
  return null;
}
