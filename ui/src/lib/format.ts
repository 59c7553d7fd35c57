// Dates for display. The stored value is left untouched; only its presentation changes.

import type { Locale } from './i18n';

/** `2026-03-01T10:15:00Z` as a local date and time in the UI's language, or as given. */
export function formatTimestamp(value: string, locale: Locale): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  } catch {
    return value;
  }
}
