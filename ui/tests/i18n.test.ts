import { describe, expect, it } from 'vitest';
import { TRANSLATED_KINDS } from '../src/lib/errors';
import {
  type Catalog,
  type Locale,
  LOCALES,
  type MessageKey,
  catalogs,
  interpolate,
  pickLocale,
  translate,
} from '../src/lib/i18n';

const CYRILLIC = /[\u0400-\u04FF]/;
const KAZAKH_LETTERS = /[ӘәҒғҚқҢңӨөҰұҮүҺһІі]/;

describe('locale files', () => {
  const english = Object.keys(catalogs.en).sort();

  it.each(LOCALES)('%s has exactly the English keys', (locale) => {
    expect(Object.keys(catalogs[locale]).sort()).toEqual(english);
  });

  it.each(LOCALES)('%s has no empty message', (locale) => {
    for (const [key, text] of Object.entries(catalogs[locale])) {
      expect(text.trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it.each(LOCALES)('%s keeps every placeholder of the English message', (locale) => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(catalogs.en)) {
      expect(placeholders(catalogs[locale][key] ?? ''), `${locale} ${key}`).toEqual(placeholders(text));
    }
  });

  it('Russian and Kazakh are translated, and Kazakh is written in Kazakh Cyrillic', () => {
    const same = (locale: Locale) =>
      Object.keys(catalogs.en).filter(
        (key) => catalogs[locale][key] === catalogs.en[key] && CYRILLIC.test(catalogs.en[key] ?? '') === false,
      );
    // Only the product name, the language names and the empty-value dash may stay as in English.
    const allowed = ['app.name', 'language.en', 'language.ru', 'language.kk', 'list.none'];
    expect(same('ru').filter((k) => !allowed.includes(k))).toEqual([]);
    expect(same('kk').filter((k) => !allowed.includes(k))).toEqual([]);
    const kazakh = Object.values(catalogs.kk).join(' ');
    expect(kazakh).toMatch(KAZAKH_LETTERS);
    expect(catalogs.kk['unlock.title']).not.toBe(catalogs.ru['unlock.title']);
  });

  it('every error kind the UI translates has a message in every locale', () => {
    for (const kind of TRANSLATED_KINDS) {
      for (const locale of LOCALES) {
        expect(catalogs[locale][`error.${kind}`], `${locale} error.${kind}`).toBeTruthy();
      }
    }
  });
});

describe('translate', () => {
  it('looks the key up in the chosen language', () => {
    expect(translate('unlock.submit', 'en')).toBe('Unlock');
    expect(translate('unlock.submit', 'ru')).toBe('Открыть');
    expect(translate('unlock.submit', 'kk')).toBe('Ашу');
  });

  it('falls back to English, then to the key itself', () => {
    const partial: Record<Locale, Catalog> = {
      en: { 'unlock.submit': 'Unlock' },
      ru: {},
      kk: { 'unlock.submit': 'Ашу' },
    };
    expect(translate('unlock.submit', 'ru', undefined, partial)).toBe('Unlock');
    expect(translate('unlock.submit', 'kk', undefined, partial)).toBe('Ашу');
    expect(translate('list.title' as MessageKey, 'ru', undefined, partial)).toBe('list.title');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('list.total', 'ru', { count: 3 })).toBe('Всего: 3');
    expect(interpolate('{a} and {b}', { a: 'x' })).toBe('x and {b}');
    expect(interpolate('no params')).toBe('no params');
  });
});

describe('pickLocale', () => {
  it('takes the first supported language of the system list', () => {
    expect(pickLocale(['kk-KZ', 'ru-RU'])).toBe('kk');
    expect(pickLocale(['de-DE', 'ru'])).toBe('ru');
    expect(pickLocale(['RU_ru'])).toBe('ru');
  });

  it('uses English when nothing matches', () => {
    expect(pickLocale(['de', 'fr-FR'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});

describe('the wipe button’s word', () => {
  it('is used by no button that only removes something, in any language', () => {
    const removing = ['handoff.remove', 'attach.remove', 'handoff.purge_confirm'] as const;
    for (const locale of LOCALES) {
      const wipe = translate('panic.button', locale).toLowerCase();
      for (const key of removing) expect(translate(key, locale).toLowerCase(), `${locale} ${key}`).not.toBe(wipe);
    }
  });
});
