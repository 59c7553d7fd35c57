// The language the UI is shown in. Kept in memory only: nothing is written to
// localStorage, cookies or any other storage, so it starts from the settings' language (or
// the system's) on every launch and after every lock.

import { type Locale, type MessageKey, type Params, pickLocale, translate } from './i18n';

/** The system's language (or English); used again when the settings say "the system's". */
export function systemLocale(): Locale {
  return pickLocale(navigator.languages ?? [navigator.language]);
}

const initial = systemLocale();
let current = $state<Locale>(initial);
document.documentElement.lang = initial;

export function getLocale(): Locale {
  return current;
}

export function setLocale(locale: Locale): void {
  current = locale;
  document.documentElement.lang = locale;
}

/** The message for `key` in the current language; re-evaluated when the language changes. */
export function t(key: MessageKey, params?: Params): string {
  return translate(key, current, params);
}
