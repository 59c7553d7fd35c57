import { describe, expect, it } from 'vitest';
import { toAppError } from '../src/lib/api';
import { describeAttachError, describeConfirmError, describeError, describeWipeError } from '../src/lib/errors';
import { translate } from '../src/lib/i18n';

describe('toAppError', () => {
  it('keeps the {kind, message} the app sends', () => {
    expect(toAppError({ kind: 'wrong_passphrase', message: 'wrong passphrase: …' })).toEqual({
      kind: 'wrong_passphrase',
      message: 'wrong passphrase: …',
    });
  });

  it('turns anything else into an unknown error with its text', () => {
    expect(toAppError('command add_testimony not allowed')).toEqual({
      kind: 'unknown',
      message: 'command add_testimony not allowed',
    });
    expect(toAppError(new Error('boom'))).toEqual({ kind: 'unknown', message: 'boom' });
    expect(toAppError({ kind: 3 })).toEqual({ kind: 'unknown', message: '[object Object]' });
    expect(toAppError(undefined)).toEqual({ kind: 'unknown', message: 'undefined' });
  });
});

describe('describeError', () => {
  it('translates a wrong passphrase by kind, without the English detail', () => {
    const view = describeError({ kind: 'wrong_passphrase', message: 'wrong passphrase: the vault did not open' });
    expect(view).toEqual({ key: 'error.wrong_passphrase', detail: null });
    expect(translate(view.key, 'ru')).toContain('Неверная парольная фраза');
    expect(translate(view.key, 'kk')).toContain('Құпия сөз тіркесі қате');
  });

  it('keeps the core message as detail where it says what to fix', () => {
    const message = 'narrative: must not be empty';
    expect(describeError({ kind: 'invalid_input', message })).toEqual({ key: 'error.invalid_input', detail: message });
    const weak = 'the new passphrase is too short: use at least 8 characters';
    expect(describeError({ kind: 'weak_passphrase', message: weak })).toEqual({
      key: 'error.weak_passphrase',
      detail: weak,
    });
  });

  it('shows an unknown kind as a generic error with its message', () => {
    expect(describeError({ kind: 'something_new', message: 'it broke' })).toEqual({
      key: 'error.unknown',
      detail: 'it broke',
    });
    expect(describeError({ kind: 'unknown', message: '  ' })).toEqual({ key: 'error.unknown', detail: null });
  });
});

describe('describeAttachError', () => {
  it('says the files were not attached, with the core’s sentence naming the file', () => {
    const message = 'could not attach /home/u/x.jpg: it is not a regular file; nothing was attached';
    expect(describeAttachError({ kind: 'invalid_input', message })).toEqual({ key: 'attach.failed', detail: message });
    expect(translate('attach.failed', 'kk')).toContain('тіркелмеді');
  });

  it('leaves other kinds as everywhere else', () => {
    expect(describeAttachError({ kind: 'locked', message: 'the vault is locked' })).toEqual({
      key: 'error.locked',
      detail: null,
    });
    expect(describeAttachError({ kind: 'not_found', message: 'no such testimony' })).toEqual({
      key: 'error.not_found',
      detail: 'no such testimony',
    });
  });
});

describe('describeConfirmError', () => {
  it('says a wrong current passphrase changed nothing (the vault is open, so not "did not open")', () => {
    const view = describeConfirmError({ kind: 'wrong_passphrase', message: 'wrong passphrase: the vault did not open' });
    expect(view).toEqual({ key: 'confirm.wrong', detail: null });
    expect(translate(view.key, 'en')).toContain('Nothing was changed');
  });

  it('describes other errors as usual', () => {
    expect(describeConfirmError({ kind: 'weak_passphrase', message: 'too short' })).toEqual({
      key: 'error.weak_passphrase',
      detail: 'too short',
    });
  });
});

describe('describeWipeError', () => {
  it('says the wipe did not finish, with what the core reports', () => {
    expect(describeWipeError({ kind: 'system', message: 'could not wipe /v/vault.db: busy' })).toEqual({
      key: 'panic.failed',
      detail: 'could not wipe /v/vault.db: busy',
    });
    expect(describeWipeError({ kind: 'system', message: ' ' }).detail).toBeNull();
  });
});
