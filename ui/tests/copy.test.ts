import { describe, expect, it } from 'vitest';
import { textToCopy } from '../src/lib/copy';

describe('textToCopy', () => {
  it('copies the page selection when no text field has the focus', () => {
    expect(textToCopy(null, 'a1b2c3')).toBe('a1b2c3');
    expect(textToCopy({ tagName: 'BUTTON' }, 'selected')).toBe('selected');
    expect(textToCopy(null, '')).toBeNull();
  });

  it('copies the selected part of the focused text field', () => {
    const field = { tagName: 'TEXTAREA', value: 'I was held for three days', selectionStart: 6, selectionEnd: 10 };
    expect(textToCopy(field, 'ignored')).toBe('held');
    expect(textToCopy({ tagName: 'input', type: 'text', value: 'Almaty', selectionStart: 0, selectionEnd: 6 }, '')).toBe(
      'Almaty',
    );
    expect(textToCopy({ ...field, selectionEnd: 6 }, 'ignored')).toBeNull();
  });

  it('never copies from a passphrase field', () => {
    const passphrase = { tagName: 'INPUT', type: 'password', value: 'secret words', selectionStart: 0, selectionEnd: 12 };
    expect(textToCopy(passphrase, '')).toBeNull();
    expect(textToCopy({ ...passphrase, type: 'PASSWORD' }, 'x')).toBeNull();
  });
});
