import { describe, expect, it } from 'vitest';
import type { Attached, MetadataWarning } from '../src/lib/api';
import {
  MEDIA_ORIGIN,
  fetchObjectUrl,
  PREVIEW_LIMIT_BYTES,
  formatSize,
  mediaUrl,
  previewKind,
  shortHash,
  sortWarnings,
  summariseAttached,
  warningLabelKey,
  warningsTitleKey,
} from '../src/lib/attachments';
import { LOCALES, catalogs, translate } from '../src/lib/i18n';

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const ID = '01a204db-83ef-7655-af1d-de72088d01ff';

describe('mediaUrl', () => {
  it('names the testimony and the content on the app’s media scheme, as WebKitGTK spells it', () => {
    expect(MEDIA_ORIGIN).toBe('aigaq-media://localhost');
    expect(mediaUrl(ID, SHA)).toBe(`aigaq-media://localhost/${ID}/${SHA}`);
  });

  it('cannot be steered elsewhere by what it is given', () => {
    const url = mediaUrl('../x?y#z', 'a/b');
    expect(url.startsWith('aigaq-media://localhost/')).toBe(true);
    expect(url.slice('aigaq-media://localhost/'.length).split('/')).toHaveLength(2);
    expect(url).not.toMatch(/[?#]/);
  });
});

describe('previewKind', () => {
  it.each([
    ['image/jpeg', 1000, 'image'],
    ['image/png', PREVIEW_LIMIT_BYTES, 'image'],
    ['audio/mpeg', 5_000_000, 'audio'],
    ['audio/x-wav', 10, 'audio'],
    ['image/jpeg', PREVIEW_LIMIT_BYTES + 1, 'too_large'],
    ['video/mp4', 1000, 'none'],
    ['text/plain', 10, 'none'],
    ['application/pdf', 10, 'none'],
    ['application/octet-stream', 10, 'none'],
  ])('%s of %i bytes: %s', (media_type, size, kind) => {
    expect(previewKind({ media_type, size })).toBe(kind);
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [812, '812 B'],
    [1023, '1,023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [150 * 1024, '150 KB'],
    [5 * 1024 * 1024 + 300 * 1024, '5.3 MB'],
    [3 * 1024 ** 3, '3 GB'],
    [5 * 1024 ** 4, '5,120 GB'],
  ])('%i bytes in English: %s', (bytes, shown) => {
    expect(formatSize(bytes, 'en')).toBe(shown);
  });

  it('uses the language’s decimal mark and unit names', () => {
    expect(formatSize(1536, 'ru')).toBe('1,5 КБ');
    expect(formatSize(1536, 'kk')).toBe('1,5 КБ');
    expect(formatSize(2 * 1024 * 1024, 'ru')).toBe('2 МБ');
  });
});

describe('shortHash', () => {
  it('keeps the first 12 digits', () => {
    expect(shortHash(SHA)).toBe('9f86d081884c…');
    expect(shortHash('abc')).toBe('abc');
  });
});

describe('metadata warnings', () => {
  const found: MetadataWarning[] = [
    { field: 'camera', value: 'FixturePhone Model X' },
    { field: 'time', value: '2022-01-05 14:03:00' },
    { field: 'owner_name', value: 'Aigerim Fixture-Owner' },
    { field: 'camera_serial', value: 'SN-FIXTURE-0042' },
    { field: 'something_new', value: 'x' },
    { field: 'gps_position', value: '43.2 deg N, 76.9 deg E' },
    { field: 'owner_name', value: '© someone' },
    { field: 'network_address', value: 'aigerim-laptop ([5.34.18.77])' },
    { field: 'unread', value: 'an archive: the photos in it are not checked' },
  ];

  it('every field the core reports has its own label in every language', () => {
    for (const field of ['unread', 'gps_position', 'network_address', 'camera_serial', 'owner_name', 'time', 'camera']) {
      const key = warningLabelKey(field);
      expect(key).toBe(`attach.warning.${field}`);
      for (const locale of LOCALES) expect(catalogs[locale][key], `${locale} ${key}`).toBeTruthy();
    }
    expect(translate(warningLabelKey('gps_position'), 'ru')).toBe('GPS-координаты');
  });

  it('a file that could not be checked is titled so, unless something was found too', () => {
    const unread = found.filter((w) => w.field === 'unread');
    expect(unread).toHaveLength(1);
    expect(warningsTitleKey(unread)).toBe('attach.unread_title');
    expect(warningsTitleKey(found)).toBe('attach.warnings_title');
    expect(warningsTitleKey([])).toBe('attach.warnings_title');
    for (const locale of LOCALES) expect(catalogs[locale]['attach.unread_title']).toBeTruthy();
  });

  it('a field this UI does not know yet is still shown, as other metadata', () => {
    expect(warningLabelKey('something_new')).toBe('attach.warning.other');
    expect(warningLabelKey('constructor')).toBe('attach.warning.other');
  });

  it('lists the most dangerous first, keeping the core’s order within a field', () => {
    expect(sortWarnings(found).map((w) => `${w.field}=${w.value}`)).toEqual([
      'unread=an archive: the photos in it are not checked',
      'gps_position=43.2 deg N, 76.9 deg E',
      'network_address=aigerim-laptop ([5.34.18.77])',
      'owner_name=Aigerim Fixture-Owner',
      'owner_name=© someone',
      'camera_serial=SN-FIXTURE-0042',
      'time=2022-01-05 14:03:00',
      'camera=FixturePhone Model X',
      'something_new=x',
    ]);
    expect(found[0]?.field).toBe('camera');
  });
});

describe('summariseAttached', () => {
  const result = (already_attached: boolean): Attached => ({
    sha256: SHA,
    name: 'x.jpg',
    media_type: 'image/jpeg',
    size: 1,
    added_at: '2026-01-01T00:00:00Z',
    warnings: [],
    deduplicated: already_attached,
    already_attached,
  });

  it('counts new files apart from files the testimony already had', () => {
    expect(summariseAttached([result(false), result(true), result(false)])).toEqual({ added: 2, already: 1 });
    expect(summariseAttached([])).toEqual({ added: 0, already: 0 });
  });
});

describe('fetchObjectUrl', () => {
  it('fetches without cache, credentials or referrer and keeps the bytes in a blob: URL', async () => {
    const seen: Array<[string, RequestInit]> = [];
    const fetcher = async (url: string, init: RequestInit) => {
      seen.push([url, init]);
      return new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'content-type': 'audio/x-wav' } });
    };
    let kept: Blob | null = null;
    const url = await fetchObjectUrl(mediaUrl(ID, SHA), fetcher, (blob) => {
      kept = blob;
      return 'blob:tauri://localhost/1';
    });
    expect(url).toBe('blob:tauri://localhost/1');
    expect(seen).toEqual([
      [`aigaq-media://localhost/${ID}/${SHA}`, { cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' }],
    ]);
    expect(kept).not.toBeNull();
    expect(new Uint8Array(await (kept as unknown as Blob).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('fails on a refusal, making no URL', async () => {
    let made = false;
    const refused = fetchObjectUrl(
      mediaUrl(ID, SHA),
      async () => new Response(null, { status: 415 }),
      () => {
        made = true;
        return 'blob:x';
      },
    );
    await expect(refused).rejects.toThrow('415');
    expect(made).toBe(false);
  });
});
