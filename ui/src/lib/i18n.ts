// Message lookup. Pure functions, so they can be tested without a web view; the reactive
// current language lives in locale.svelte.ts.

import en from '../i18n/en.json';
import kk from '../i18n/kk.json';
import ru from '../i18n/ru.json';

export const LOCALES = ['en', 'ru', 'kk'] as const;
export type Locale = (typeof LOCALES)[number];

/** Every key the English catalogue has; the other catalogues must have the same ones. */
export type MessageKey = keyof typeof en;
export type Catalog = Readonly<Record<string, string>>;

export const catalogs: Readonly<Record<Locale, Catalog>> = { en, ru, kk };

export type Params = Readonly<Record<string, string | number>>;

/** Replaces `{name}` with `params.name`; unknown placeholders are left as they are. */
export function interpolate(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/**
 * The message for `key` in `locale`, falling back to English and then to the key itself,
 * so a missing translation shows up as readable text, never as a blank.
 */
export function translate(
  key: MessageKey,
  locale: Locale,
  params?: Params,
  from: Readonly<Record<Locale, Catalog>> = catalogs,
): string {
  const text = from[locale][key] ?? from.en[key] ?? key;
  return interpolate(text, params);
}

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The first of the user's preferred languages we have, else English. */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split(/[-_]/)[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}
