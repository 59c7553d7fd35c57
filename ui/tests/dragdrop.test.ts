import { describe, expect, it } from 'vitest';
import { dragStep } from '../src/lib/dragdrop';

describe('dragStep', () => {
  it('highlights the zone while files are held over the window, and attaches them on drop', () => {
    expect(dragStep({ type: 'enter', paths: ['/home/u/a.jpg'] }, false, false)).toEqual({ over: true, attach: null });
    expect(dragStep({ type: 'over' }, true, false)).toEqual({ over: true, attach: null });
    expect(dragStep({ type: 'drop', paths: ['/home/u/a.jpg', '/home/u/b.ogg'] }, true, false)).toEqual({
      over: false,
      attach: ['/home/u/a.jpg', '/home/u/b.ogg'],
    });
  });

  it('forgets the drag when it leaves', () => {
    expect(dragStep({ type: 'leave' }, true, false)).toEqual({ over: false, attach: null });
  });

  it('does not announce a drag that holds no files', () => {
    expect(dragStep({ type: 'enter', paths: [] }, false, false)).toEqual({ over: false, attach: null });
    expect(dragStep({ type: 'over' }, false, false)).toEqual({ over: false, attach: null });
    expect(dragStep({ type: 'drop', paths: [] }, false, false)).toEqual({ over: false, attach: null });
  });

  it('ignores a drop while files are being attached', () => {
    expect(dragStep({ type: 'enter', paths: ['/a'] }, false, true)).toEqual({ over: false, attach: null });
    expect(dragStep({ type: 'drop', paths: ['/a'] }, false, true)).toEqual({ over: false, attach: null });
  });
});
