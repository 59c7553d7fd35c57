// How attachments are shown: sizes, short hashes, the URL of a decrypted preview, and the
// risky metadata as labels. Pure functions; the components only lay them out.

import type { Attached, AttachmentInfo, MetadataWarning } from './api';
import { type Locale, type MessageKey, translate } from './i18n';

/**
 * Where the app serves an attachment's decrypted bytes from memory (`src-tauri/src/media.rs`,
 * WebKitGTK's form of a custom scheme). The CSP lets images load from here, and the page's
 * own fetch for audio.
 */
export const MEDIA_ORIGIN = 'aigaq-media://localhost';

/**
 * Above this size the app does not preview (the core refuses, `media::PREVIEW_LIMIT`); the
 * page knows it only to say so instead of showing a broken image.
 */
export const PREVIEW_LIMIT_BYTES = 64 * 1024 * 1024;

/** The URL an `<img>` or `<audio>` loads the attachment from. */
export function mediaUrl(testimonyId: string, sha256: string): string {
  return `${MEDIA_ORIGIN}/${encodeURIComponent(testimonyId)}/${encodeURIComponent(sha256)}`;
}

/**
 * For `<audio>`: WebKitGTK's media player cannot read a custom scheme, so the page fetches
 * the bytes itself and plays them from a `blob:` URL, which lives in memory until revoked.
 */
export async function fetchObjectUrl(
  url: string,
  fetcher: (url: string, init: RequestInit) => Promise<Response> = (u, init) => fetch(u, init),
  toObjectUrl: (blob: Blob) => string = (blob) => URL.createObjectURL(blob),
): Promise<string> {
  const response = await fetcher(url, { cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
  if (!response.ok) throw new Error(`the preview was refused (${response.status})`);
  return toObjectUrl(await response.blob());
}

export type PreviewKind = 'image' | 'audio' | 'too_large' | 'none';

/** How the attachment can be previewed: images and audio, up to the limit. */
export function previewKind(attachment: Pick<AttachmentInfo, 'media_type' | 'size'>): PreviewKind {
  const type = attachment.media_type.toLowerCase();
  const kind = type.startsWith('image/') ? 'image' : type.startsWith('audio/') ? 'audio' : 'none';
  if (kind !== 'none' && attachment.size > PREVIEW_LIMIT_BYTES) return 'too_large';
  return kind;
}

const SIZE_UNITS: readonly MessageKey[] = ['size.b', 'size.kb', 'size.mb', 'size.gb'];

/** `1536` → `1.5 KB` (binary multiples), with the language's decimal mark and unit names. */
export function formatSize(bytes: number, locale: Locale): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  return translate(SIZE_UNITS[unit] ?? 'size.b', locale, { n });
}

/** The first 12 hex digits: enough to tell attachments apart on screen. */
export function shortHash(sha256: string): string {
  return sha256.length > 12 ? `${sha256.slice(0, 12)}…` : sha256;
}

/**
 * The most dangerous first: what could not be checked at all (anything may be in it), then
 * where, who, which device, when, what camera.
 */
const WARNING_ORDER = ['unread', 'gps_position', 'network_address', 'owner_name', 'camera_serial', 'time', 'camera'] as const;
type KnownField = (typeof WARNING_ORDER)[number];

function isKnownField(field: string): field is KnownField {
  return (WARNING_ORDER as readonly string[]).includes(field);
}

/** The label of a metadata field; a field this UI does not know yet still shows, as "other". */
export function warningLabelKey(field: string): MessageKey {
  return isKnownField(field) ? `attach.warning.${field}` : 'attach.warning.other';
}

/**
 * The title over a file's warnings: what it reveals, or, when all the core could say is that
 * it could not check the file (an archive, an encrypted document), that it was not checked.
 */
export function warningsTitleKey(warnings: readonly MetadataWarning[]): MessageKey {
  return warnings.length > 0 && warnings.every((w) => w.field === 'unread')
    ? 'attach.unread_title'
    : 'attach.warnings_title';
}

/** The warnings in order of danger; the same field keeps the order the core gave. */
export function sortWarnings(warnings: readonly MetadataWarning[]): MetadataWarning[] {
  const rank = (w: MetadataWarning) => {
    const i = (WARNING_ORDER as readonly string[]).indexOf(w.field);
    return i === -1 ? WARNING_ORDER.length : i;
  };
  return warnings
    .map((w, i) => ({ w, i }))
    .sort((a, b) => rank(a.w) - rank(b.w) || a.i - b.i)
    .map(({ w }) => w);
}

/** How many files were newly attached, and how many the testimony already had. */
export function summariseAttached(results: readonly Attached[]): { added: number; already: number } {
  const already = results.filter((r) => r.already_attached).length;
  return { added: results.length - already, already };
}
