// The core's controlled vocabularies, looked up for display.

import type { Term, Vocabulary } from './api';
import type { Locale } from './i18n';

export function findVocabulary(all: readonly Vocabulary[], name: string): readonly Term[] {
  return all.find((v) => v.name === name)?.terms ?? [];
}

/** The label of `code` in `locale`, or the code itself when the vocabulary lacks it. */
export function termLabel(terms: readonly Term[], code: string, locale: Locale): string {
  const term = terms.find((t) => t.code === code);
  return term ? term[locale] : code;
}
