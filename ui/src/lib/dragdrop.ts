// Files dragged onto the window. The web view reports them with their paths (Tauri's
// drag-drop event); this decides what the drop zone shows and which paths to attach.

/** The events as `getCurrentWebview().onDragDropEvent` delivers their payloads. */
export type DragDrop =
  | { type: 'enter'; paths: string[] }
  | { type: 'over' }
  | { type: 'drop'; paths: string[] }
  | { type: 'leave' };

export interface DropStep {
  /** Whether files are being held over the window. */
  over: boolean;
  /** The files to attach, once dropped; `null` until then. */
  attach: string[] | null;
}

/**
 * The next state of the drop zone, from whether files were `over` it before. Something
 * dragged that holds no files (a piece of text) is not announced as a drop. While an attach
 * is running, a drop is ignored (the zone stays busy) rather than queued behind it.
 */
export function dragStep(event: DragDrop, over: boolean, busy: boolean): DropStep {
  switch (event.type) {
    case 'enter':
      return { over: event.paths.length > 0 && !busy, attach: null };
    case 'over':
      return { over: over && !busy, attach: null };
    case 'drop':
      return { over: false, attach: !busy && event.paths.length > 0 ? [...event.paths] : null };
    case 'leave':
      return { over: false, attach: null };
  }
}
