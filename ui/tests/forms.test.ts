import { describe, expect, it } from 'vitest';
import { checkDraft, checkNewPassphrase, emptyDraft, toQuickEntry } from '../src/lib/forms';

const draft = (fields: Partial<ReturnType<typeof emptyDraft>>) => ({ ...emptyDraft(), ...fields });

describe('checkDraft', () => {
  it('accepts a narrative with an identity level and nothing else', () => {
    expect(checkDraft(draft({ narrative: 'I saw it.', identity: 'anonymous' }))).toEqual({});
  });

  it('asks for a narrative and an identity level', () => {
    expect(checkDraft(emptyDraft())).toEqual({
      narrative: 'add.narrative_empty',
      identity: 'add.identity_missing',
    });
    expect(checkDraft(draft({ narrative: ' \n\t', identity: 'named' }))).toEqual({
      narrative: 'add.narrative_empty',
    });
  });

  it.each([
    ['2022-01-05', true],
    [' 2022-01-05 ', true],
    ['', true],
    ['05.01.2022', false],
    ['2022-1-5', false],
    ['January 2022', false],
  ])('date %j accepted: %s', (interviewDate, ok) => {
    const problems = checkDraft(draft({ narrative: 'x', identity: 'named', interviewDate }));
    expect(problems.interviewDate === undefined).toBe(ok);
  });

  it('leaves impossible dates such as 2022-02-30 to the core', () => {
    expect(checkDraft(draft({ narrative: 'x', identity: 'named', interviewDate: '2022-02-30' }))).toEqual({});
  });
});

describe('toQuickEntry', () => {
  it('sends the narrative as typed and trims the short fields', () => {
    expect(
      toQuickEntry({ narrative: '  As said.\n', identity: 'pseudonymous', interviewDate: ' 2022-02-03 ', interviewPlace: ' Almaty ' }),
    ).toEqual({
      narrative: '  As said.\n',
      identity: 'pseudonymous',
      interview_date: '2022-02-03',
      interview_place: 'Almaty',
    });
  });

  it('sends the organisations chosen, and nothing about sharing when none is', () => {
    const entry = toQuickEntry({ ...emptyDraft(), narrative: 'x', identity: 'anonymous', shareWith: ['KIBHR Almaty'] });
    expect(entry.share_with).toEqual(['KIBHR Almaty']);
    expect('share_with' in toQuickEntry({ ...emptyDraft(), narrative: 'x', identity: 'anonymous' })).toBe(false);
  });
});

describe('checkNewPassphrase', () => {
  it('needs the passphrase typed twice the same way', () => {
    expect(checkNewPassphrase('', '')).toBe('form.passphrase_empty');
    expect(checkNewPassphrase('correct horse', 'correct horse ')).toBe('create.mismatch');
    expect(checkNewPassphrase('correct horse', 'correct horse')).toBeNull();
  });

  it('leaves strength to the core', () => {
    expect(checkNewPassphrase('short', 'short')).toBeNull();
  });
});
