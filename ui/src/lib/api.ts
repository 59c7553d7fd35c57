// Typed calls to the app's commands. Every failure is turned into an AppError, so the UI
// handles one shape whatever went wrong.

import { Channel, invoke } from '@tauri-apps/api/core';

/** What every command error looks like: a stable kind and the core's message. */
export interface AppError {
  kind: string;
  message: string;
}

export type VaultState = 'absent' | 'present' | 'not_a_vault';

export interface VaultStatus {
  state: VaultState;
  unlocked: boolean;
  folder: string;
  /** Failed unlocks in a row since the last good one. */
  failed_attempts: number;
  /** How long the next unlock waits because of them, in seconds (the core waits itself). */
  wait_seconds: number;
}

/** The app's settings file (`aigaq::settings::Settings`); nothing in it is sensitive. */
export interface Settings {
  /** `en`, `ru` or `kk`; `null` follows the system. */
  language: string | null;
  auto_lock_minutes: number;
  disguise: boolean;
  confirm_wipe: boolean;
}

/** The open vault's security settings (`vault::SecuritySettings`). */
export interface SecuritySettings {
  /** Wipe after this many failed unlocks in a row; `null`: never. */
  wipe_after: number | null;
  duress: boolean;
  kdf_memory_mib: number;
  kdf_passes: number;
  swap: Swap;
}

/** Whether this computer's swap may put what is in memory on its disk unencrypted (`swap::Swap`). */
export type Swap =
  | { state: 'off' }
  | { state: 'protected' }
  | { state: 'unencrypted'; areas: string[] }
  | { state: 'unknown' };

/** One search match (`store::search::SearchHit`); the words found are marked `[…]`. */
export interface SearchHit {
  id: string;
  snippet: string;
  interview_date: string | null;
  place: string | null;
}

/** One line of the testimony list, as the core's `store::Summary` serialises it. */
export interface Summary {
  id: string;
  status: string | null;
  interview_date: string | null;
  place: string | null;
  witness: string | null;
  excerpt: string;
  revisions: number;
  created_at: string;
  updated_at: string;
  delivered_to: string[];
}

/** A piece of metadata in a file that can endanger someone (`media::Warning`). */
export interface MetadataWarning {
  /**
   * `gps_position`, `network_address`, `camera_serial`, `owner_name`, `time` or `camera`; `unread` when the file
   * (an archive, an encrypted or damaged document) could not be checked, `value` saying why.
   */
  field: string;
  value: string;
}

/** An attachment as the core lists it (`store::attachments::AttachmentInfo`). */
export interface AttachmentInfo {
  sha256: string;
  name: string;
  media_type: string;
  size: number;
  added_at: string;
  derived_from?: string;
  removed_metadata?: string[];
  warnings: MetadataWarning[];
  /** What the content is now taken for, when the signed revision lists another type. */
  detected_type?: string;
}

/** What attaching did with one file (`store::attachments::Attached`). */
export interface Attached extends AttachmentInfo {
  deduplicated: boolean;
  already_attached: boolean;
}

/** The parts of an `aigaq/testimony/1` object the detail view shows. */
export interface Testimony {
  schema: string;
  status?: string;
  consent?: { informed: boolean; identity: string; share_with?: string[] };
  interview?: { date?: string; place?: string };
  witness?: { pseudonym?: string };
  narrative: string;
}

/** A testimony with its current revision (`store::Record`). */
export interface TestimonyRecord {
  id: string;
  revision: string;
  number: number;
  created_at: string;
  updated_at: string;
  delivered_to: string[];
  attachments: AttachmentInfo[];
  testimony: Testimony;
}

/** What the short form sends; the core's `model::QuickEntry`. */
export interface QuickEntry {
  narrative: string;
  identity: string;
  interview_date: string;
  interview_place: string;
  /** Names from this device's organisations; the core refuses any other. */
  share_with?: string[];
}

export interface Term {
  code: string;
  en: string;
  ru: string;
  kk: string;
}

export interface Vocabulary {
  name: string;
  noun: string;
  terms: Term[];
}

/** How far long work has got (`progress::Progress`): bytes done of bytes expected. */
export interface Progress {
  done: number;
  total: number;
}

/** A channel the app sends its progress reports through, each to `onProgress`. */
function progressChannel(onProgress?: (progress: Progress) => void): Channel<Progress> {
  const channel = new Channel<Progress>();
  channel.onmessage = (progress) => onProgress?.(progress);
  return channel;
}

/** A partner organisation this device may export to (`bundle::Recipient`). */
export interface Recipient {
  name: string;
  /** `age1…`. */
  recipient: string;
  /** Read-aloud fingerprint, to compare with the organisation on a call. */
  fingerprint: string;
  added_at: string;
}

/** The organisations, and this device as they will see it (`handoff::Recipients`). */
export interface Recipients {
  recipients: Recipient[];
  device: { name: string | null; fingerprint: string };
}

/** An attachment sent as a copy without its metadata. */
export interface StrippedFile {
  name: string;
  removed: string[];
}

/** What an export wrote (`bundle::export::ExportReport`). */
export interface ExportReport {
  recipient: string;
  bundle_id: string;
  path: string;
  records: number;
  bytes: number;
  attachments: number;
  attachment_bytes: number;
  sent_with_metadata: string[];
  stripped: StrippedFile[];
  left_for_next: number;
}

/** What importing one acknowledgement changed (`bundle::ack::AckImported`). */
export interface AckImported {
  ack_id: string;
  recipient: string;
  signer_fingerprint: string;
  signer_is_new: boolean;
  earlier_signers: number;
  new_revisions: number;
  known_revisions: number;
  new_attachments: number;
}

/** What removing the delivered testimonies removes, and keeps (`store::PurgePlan`). */
export interface PurgePlan {
  purge: { id: string; delivered_to: string[] }[];
  kept_for_attachments: string[];
}

/** What importing one bundle did (`bundle::import::ImportedBundle`). */
export interface ImportedBundle {
  bundle_id: string;
  sender_fingerprint: string;
  sender_name?: string;
  new_sender: boolean;
  new_revisions: number;
  known_revisions: number;
  new_ledger_entries: number;
  /** Ranges of the sender's ledger this bundle does not cover. */
  ledger_gaps: [number, number][];
  new_attachments: number;
  known_attachments: number;
  missing_attachments: string[];
}

/** One revision an organisation holds (`bundle::import::ReceivedRevision`). */
export interface ReceivedRevision {
  id: string;
  revision: string;
  sender_fingerprint: string;
  bundle_id: string;
  received_at: string;
}

/** One received testimony (`store::received::ReceivedTestimony`). */
export interface ReceivedTestimonyFull {
  id: string;
  /** Every revision held, oldest first; `record` is the stored revision as received. */
  revisions: {
    revision: string;
    sender_fingerprint: string;
    sender_name?: string;
    bundle_id: string;
    received_at: string;
    record: { content?: Testimony & { witness?: { name?: string; pseudonym?: string; contact?: string } } };
  }[];
  attachments: {
    sha256: string;
    name: string;
    media_type: string;
    size: number;
    derived_from?: string;
    removed_metadata?: string[];
    /** Whether its content is in this vault. */
    held: boolean;
  }[];
}

/** A signed acknowledgement written (`bundle::ack::AckReport`). */
export interface AckReport {
  ack_id: string;
  path: string;
  device_fingerprint: string;
  bundles: number;
  revisions: number;
  attachments: number;
  bytes: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Normalises anything a failed call can throw into `{kind, message}`. */
export function toAppError(error: unknown): AppError {
  if (isRecord(error) && typeof error.kind === 'string' && typeof error.message === 'string') {
    return { kind: error.kind, message: error.message };
  }
  if (typeof error === 'string') return { kind: 'unknown', message: error };
  if (error instanceof Error) return { kind: 'unknown', message: error.message };
  return { kind: 'unknown', message: String(error) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

export const api = {
  vaultStatus: () => call<VaultStatus>('vault_status'),
  createVault: (passphrase: string) => call<void>('create_vault', { passphrase }),
  unlock: (passphrase: string) => call<void>('unlock', { passphrase }),
  /** Drops the session; the app then reloads the page, so this may never resolve. */
  lock: () => call<void>('lock'),
  listTestimonies: () => call<Summary[]>('list_testimonies'),
  addTestimony: (entry: QuickEntry) => call<string>('add_testimony', { entry }),
  vocabularies: () => call<Vocabulary[]>('vocabularies'),
  getTestimony: (id: string) => call<TestimonyRecord>('get_testimony', { id }),
  listAttachments: (id: string) => call<AttachmentInfo[]>('list_attachments', { id }),
  /** Stores the files encrypted with the testimony: all or none. May take a while. */
  attachFiles: (id: string, paths: string[], onProgress?: (progress: Progress) => void) =>
    call<Attached[]>('attach_files', { id, paths, onProgress: progressChannel(onProgress) }),
  /** Removes an attachment from the testimony; its content goes unless something else uses it. */
  detachAttachment: (id: string, sha256: string) => call<void>('detach_attachment', { id, sha256 }),
  /** Opens the system's file chooser; resolves to the chosen paths, empty when cancelled. */
  pickFiles: (title: string) => call<string[]>('pick_files', { title }),
  searchTestimonies: (query: string) => call<SearchHit[]>('search_testimonies', { query }),
  getSettings: () => call<Settings>('get_settings'),
  /** The settings that do not weaken the vault's protection; no passphrase needed. */
  saveSettings: (languageCode: string | null, disguise: boolean, confirmWipe: boolean) =>
    call<Settings>('save_settings', { languageCode, disguise, confirmWipe }),
  setAutoLock: (passphrase: string, minutes: number) => call<Settings>('set_auto_lock', { passphrase, minutes }),
  securitySettings: () => call<SecuritySettings>('security_settings'),
  setWipeAfter: (passphrase: string, limit: number | null) =>
    call<SecuritySettings>('set_wipe_after', { passphrase, limit }),
  setDuress: (passphrase: string, duress: string, decoys: QuickEntry[]) =>
    call<SecuritySettings>('set_duress', { passphrase, duress, decoys }),
  clearDuress: (passphrase: string) => call<SecuritySettings>('clear_duress', { passphrase }),
  /** Destroys the vault and the settings; on success the app reloads the page. */
  panicWipe: () => call<void>('panic_wipe'),
  listRecipients: () => call<Recipients>('list_recipients'),
  addRecipient: (name: string, recipient: string) => call<Recipient>('add_recipient', { name, recipient }),
  removeRecipient: (name: string) => call<void>('remove_recipient', { name }),
  /** Saves who may receive the testimony; true when that made a new revision. */
  setShareWith: (id: string, names: string[]) => call<boolean>('set_share_with', { id, names }),
  /** How many testimonies a bundle for the organisation would carry; `not_found` when none. */
  pendingExport: (recipient: string, all: boolean) => call<number>('pending_export', { recipient, all }),
  /** Asks where to save the bundle, then writes it; `null` when the user cancelled. */
  exportBundle: (
    recipient: string,
    all: boolean,
    stripMetadata: boolean,
    title: string,
    onProgress?: (progress: Progress) => void,
  ) =>
    call<ExportReport | null>('export_bundle', {
      recipient,
      all,
      stripMetadata,
      title,
      onProgress: progressChannel(onProgress),
    }),
  importAcknowledgements: (paths: string[]) => call<AckImported[]>('import_acknowledgements', { paths }),
  deliveredPlan: () => call<PurgePlan>('delivered_plan'),
  purgeDelivered: () => call<PurgePlan>('purge_delivered'),
  /** Makes a new organisation key and asks where to save it; `null` when the user cancelled. */
  makeOrgKey: (passphrase: string, title: string) =>
    call<{ path: string; recipient: string; fingerprint: string } | null>('make_org_key', { passphrase, title }),
  /** Verifies and imports bundles with the organisation's key file: all or none. */
  importBundles: (keyFile: string, keyPassphrase: string, paths: string[], onProgress?: (progress: Progress) => void) =>
    call<ImportedBundle[]>('import_bundles', { keyFile, keyPassphrase, paths, onProgress: progressChannel(onProgress) }),
  listReceived: () => call<ReceivedRevision[]>('list_received'),
  getReceived: (id: string) => call<ReceivedTestimonyFull>('get_received', { id }),
  /** Asks where to save the acknowledgement, then writes it; `null` when the user cancelled. */
  acknowledgeBundles: (keyFile: string, keyPassphrase: string, paths: string[], title: string) =>
    call<AckReport | null>('acknowledge_bundles', { keyFile, keyPassphrase, paths, title }),
  /** Puts text on the clipboard; the app takes it back after 30 s, on lock and on exit. */
  copyText: (text: string) => call<void>('copy_text', { text }),
};
