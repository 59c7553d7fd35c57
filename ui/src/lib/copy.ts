// What "copy" in the page copies. The app takes over every copy (Ctrl+C, the context menu)
// so that what is copied goes through the app, which clears the clipboard after 30 s; a
// passphrase field is never copied from.

/** The focused element, as far as copying is concerned. */
export interface FocusedField {
  tagName: string;
  type?: string;
  value?: string;
  selectionStart?: number | null;
  selectionEnd?: number | null;
}

/**
 * The text to copy: the selection inside the focused text field, else the page's
 * selection. `null` when there is nothing to copy or the field is a passphrase.
 */
export function textToCopy(focused: FocusedField | null, pageSelection: string): string | null {
  const tag = focused?.tagName.toUpperCase();
  if (focused && (tag === 'INPUT' || tag === 'TEXTAREA')) {
    if (tag === 'INPUT' && focused.type?.toLowerCase() === 'password') return null;
    const { value = '', selectionStart = null, selectionEnd = null } = focused;
    if (selectionStart === null || selectionEnd === null || selectionEnd <= selectionStart) return null;
    return value.slice(selectionStart, selectionEnd);
  }
  return pageSelection === '' ? null : pageSelection;
}
