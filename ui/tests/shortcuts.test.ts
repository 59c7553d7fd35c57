import { describe, expect, it } from 'vitest';
import { isPanicShortcut, type KeyLike, PANIC_SHORTCUT } from '../src/lib/shortcuts';

const key = (k: string, held: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...held,
});

describe('the panic shortcut', () => {
  it('is Ctrl+Shift+Delete', () => {
    expect(PANIC_SHORTCUT).toBe('Ctrl+Shift+Delete');
    expect(isPanicShortcut(key('Delete', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(isPanicShortcut(key('Del', { ctrlKey: true, shiftKey: true }))).toBe(true);
  });

  it.each([
    ['Delete alone', key('Delete')],
    ['Ctrl+Delete (delete a word)', key('Delete', { ctrlKey: true })],
    ['Shift+Delete (cut)', key('Delete', { shiftKey: true })],
    ['Ctrl+Shift+Backspace', key('Backspace', { ctrlKey: true, shiftKey: true })],
    ['Ctrl+Alt+Shift+Delete', key('Delete', { ctrlKey: true, shiftKey: true, altKey: true })],
    ['Super+Ctrl+Shift+Delete', key('Delete', { ctrlKey: true, shiftKey: true, metaKey: true })],
    ['Ctrl+Shift+D', key('D', { ctrlKey: true, shiftKey: true })],
  ])('is not %s', (_, event) => {
    expect(isPanicShortcut(event)).toBe(false);
  });
});
