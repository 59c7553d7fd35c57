import { describe, expect, it } from 'vitest';
import type { Settings } from '../src/lib/api';
import { emptyDraft } from '../src/lib/forms';
import {
  AUTO_LOCK_MAX,
  AUTO_LOCK_MIN,
  checkDecoys,
  checkDuressPassphrase,
  generalChoice,
  MAX_DECOYS,
  parseAutoLockMinutes,
  parseWipeAfter,
  sameChoice,
  swapNotice,
  unlockDelay,
  wipeAfterKey,
} from '../src/lib/settingsForms';

describe('the idle time before locking', () => {
  it('takes whole minutes from 1 to 240, as the core does', () => {
    expect([AUTO_LOCK_MIN, AUTO_LOCK_MAX]).toEqual([1, 240]);
    expect(parseAutoLockMinutes('5')).toEqual({ ok: true, value: 5 });
    expect(parseAutoLockMinutes(' 240 ')).toEqual({ ok: true, value: 240 });
    expect(parseAutoLockMinutes('1')).toEqual({ ok: true, value: 1 });
  });

  it.each(['', '0', '241', '2.5', '-3', '5 min', '1e2', '99999999'])('refuses %j', (text) => {
    expect(parseAutoLockMinutes(text)).toEqual({ ok: false, problem: 'security.minutes_invalid' });
  });
});

describe('the limit on failed unlocks', () => {
  it('is never, or a number of attempts from 1', () => {
    expect(parseWipeAfter(true, 'anything')).toEqual({ ok: true, value: null });
    expect(parseWipeAfter(false, '10')).toEqual({ ok: true, value: 10 });
    expect(parseWipeAfter(false, '1')).toEqual({ ok: true, value: 1 });
    expect(parseWipeAfter(false, '1000')).toEqual({ ok: true, value: 1000 });
    for (const bad of ['0', '', 'ten', '1e3', '-1', '1234567']) {
      expect(parseWipeAfter(false, bad)).toEqual({ ok: false, problem: 'security.wipe_after_invalid' });
    }
  });

  it('is shown as it is now', () => {
    const security = {
      wipe_after: null,
      duress: false,
      kdf_memory_mib: 384,
      kdf_passes: 2,
      swap: { state: 'off' as const },
    };
    expect(wipeAfterKey(security)).toEqual({ key: 'security.wipe_now_never', count: 0 });
    expect(wipeAfterKey({ ...security, wipe_after: 7 })).toEqual({ key: 'security.wipe_now_after', count: 7 });
  });
});

describe('the swap', () => {
  it('warns, naming the areas, only when it is on a disk unencrypted', () => {
    expect(swapNotice({ state: 'unencrypted', areas: ['/dev/sda3', '/swapfile'] })).toEqual({
      key: 'security.swap_unencrypted',
      areas: '/dev/sda3, /swapfile',
      warn: true,
    });
    for (const [swap, key] of [
      [{ state: 'off' }, 'security.swap_off'],
      [{ state: 'protected' }, 'security.swap_protected'],
      [{ state: 'unknown' }, 'security.swap_unknown'],
    ] as const) {
      expect(swapNotice(swap)).toEqual({ key, areas: '', warn: false });
    }
  });
});

describe('the duress passphrase and its decoys', () => {
  it('is typed twice the same way', () => {
    expect(checkDuressPassphrase('', '')).toBe('form.passphrase_empty');
    expect(checkDuressPassphrase('under duress words', 'under duress word')).toBe('security.duress_mismatch');
    expect(checkDuressPassphrase('under duress words', 'under duress words')).toBeNull();
  });

  it('may have no decoy (an empty vault opens)', () => {
    expect(checkDecoys([])).toEqual({ problems: [], ok: true, entries: [] });
  });

  it('checks each decoy like a testimony and sends it as the core takes it', () => {
    const good = { ...emptyDraft(), narrative: 'A quiet market day.', identity: 'anonymous', interviewPlace: ' Taraz ' };
    const bad = { ...emptyDraft(), narrative: ' ', identity: 'anonymous', interviewDate: '5 Jan' };
    const check = checkDecoys([good, bad]);
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toEqual({});
    expect(check.problems[1]).toEqual({ narrative: 'add.narrative_empty', interviewDate: 'add.date_format' });
    expect(checkDecoys([good]).entries).toEqual([
      { narrative: 'A quiet market day.', identity: 'anonymous', interview_date: '', interview_place: 'Taraz' },
    ]);
    expect(checkDecoys(Array.from({ length: MAX_DECOYS + 1 }, () => good)).ok).toBe(false);
  });
});

describe('the settings that need no passphrase', () => {
  const settings: Settings = { language: null, auto_lock_minutes: 5, disguise: false, confirm_wipe: true };

  it('tell whether the form changed them', () => {
    const choice = generalChoice(settings);
    expect(choice).toEqual({ language: '', disguise: false, confirmWipe: true });
    expect(sameChoice(choice, generalChoice(settings))).toBe(true);
    expect(sameChoice({ ...choice, disguise: true }, choice)).toBe(false);
    expect(sameChoice({ ...choice, language: 'kk' }, choice)).toBe(false);
    expect(generalChoice({ ...settings, language: 'ru' }).language).toBe('ru');
  });
});

describe('the wait after failed unlocks', () => {
  it('is announced only when there is one', () => {
    expect(unlockDelay({ failed_attempts: 0, wait_seconds: 0 })).toBeNull();
    expect(unlockDelay({ failed_attempts: 3, wait_seconds: 4 })).toEqual({ count: 3, seconds: 4 });
    expect(unlockDelay({ failed_attempts: 2, wait_seconds: 0 })).toBeNull();
  });
});
