// Which message the user sees for an error. Kinds the user can act on without more detail
// are translated outright; for the others the core's own sentence (which names the field,
// the file or the limit) is shown under the translated headline.

import type { AppError } from './api';
import type { MessageKey } from './i18n';

export interface ErrorView {
  /** The translated headline. */
  key: MessageKey;
  /** The core's message, when it adds something the headline cannot say. */
  detail: string | null;
}

const SELF_EXPLANATORY: ReadonlySet<string> = new Set([
  'wrong_passphrase',
  'vault_in_use',
  'locked',
  'already_unlocked',
]);

const WITH_DETAIL: ReadonlySet<string> = new Set([
  'weak_passphrase',
  'vault_exists',
  'vault_not_found',
  'not_a_vault',
  'integrity',
  'newer_format',
  'invalid_input',
  'no_vault_folder',
  'system',
  'bad_kdf_params',
  'not_found',
  'purged',
]);

export function describeError(error: AppError): ErrorView {
  if (SELF_EXPLANATORY.has(error.kind)) {
    return { key: `error.${error.kind}` as MessageKey, detail: null };
  }
  const detail = error.message.trim() === '' ? null : error.message;
  if (WITH_DETAIL.has(error.kind)) {
    return { key: `error.${error.kind}` as MessageKey, detail };
  }
  return { key: 'error.unknown', detail };
}

/** Every kind with its own message, for the test that checks each has a translation. */
export const TRANSLATED_KINDS: readonly string[] = [...SELF_EXPLANATORY, ...WITH_DETAIL];

/**
 * For attaching files: a file that cannot be read or is refused is about the files, not
 * about form fields, so the headline says the files were not attached; the core's sentence
 * (which names the file and why) follows.
 */
export function describeAttachError(error: AppError): ErrorView {
  if (error.kind === 'invalid_input') {
    return { key: 'attach.failed', detail: error.message.trim() === '' ? null : error.message };
  }
  return describeError(error);
}

/**
 * For the panic wipe: whatever failed, the headline says the wipe did not finish (the keys
 * may be gone already); the core's sentence says what is left.
 */
export function describeWipeError(error: AppError): ErrorView {
  return { key: 'panic.failed', detail: error.message.trim() === '' ? null : error.message };
}

/**
 * For a security change confirmed with the passphrase: a wrong one is about that field (the
 * vault is open, so "the vault did not open" would be wrong); other errors as usual.
 */
export function describeConfirmError(error: AppError): ErrorView {
  if (error.kind === 'wrong_passphrase') return { key: 'confirm.wrong', detail: null };
  return describeError(error);
}

/**
 * For handing over (organisations, bundles, acknowledgements): a refusal is about what was
 * asked (a key that is not a key, nothing new to send, a photo that cannot be stripped, a
 * file already there), so the headline says it was not done and the core's sentence says
 * why and what to do.
 */
export function describeHandoffError(error: AppError): ErrorView {
  if (HANDOFF_REFUSALS.has(error.kind)) {
    return { key: 'handoff.failed', detail: error.message.trim() === '' ? null : error.message };
  }
  return describeError(error);
}

const HANDOFF_REFUSALS: ReadonlySet<string> = new Set(['invalid_input', 'not_found', 'cannot_strip', 'exists']);
