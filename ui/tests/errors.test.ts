import { describe, expect, it } from 'vitest';
import { toAppError } from '../src/lib/api';
import { describeError } from '../src/lib/errors';
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
