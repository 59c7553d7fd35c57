// Keyboard shortcuts the whole window answers to.

/** What a keyboard event carries that matters here (a `KeyboardEvent` has it all). */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** The panic wipe's shortcut, as shown to the user. */
export const PANIC_SHORTCUT = 'Ctrl+Shift+Delete';

/** Ctrl+Shift+Delete, and nothing else held: the panic wipe. */
export function isPanicShortcut(event: KeyLike): boolean {
  return (
    event.ctrlKey &&
    event.shiftKey &&
    !event.altKey &&
    !event.metaKey &&
    (event.key === 'Delete' || event.key === 'Del')
  );
}
