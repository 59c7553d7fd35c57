import { describe, expect, it } from 'vitest';
import { ACTIVITY_EVENTS, type Clock, IdleTimer, minutesToMs } from '../src/lib/idle';

/** A clock whose time moves only when the test says so. */
function fakeClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
  };
  /** Moves time on by `ms`, running every timer that falls due on the way. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.size };
}

describe('IdleTimer', () => {
  it('locks after the idle time with no activity, once', () => {
    const { clock, advance } = fakeClock();
    let locks = 0;
    const timer = new IdleTimer(minutesToMs(5), () => (locks += 1), clock);
    timer.start();
    advance(minutesToMs(5) - 1);
    expect(locks).toBe(0);
    advance(1);
    expect(locks).toBe(1);
    advance(minutesToMs(60));
    expect(locks).toBe(1);
  });

  it('counts again from the last key press or pointer movement', () => {
    const { clock, advance } = fakeClock();
    let locks = 0;
    const timer = new IdleTimer(60_000, () => (locks += 1), clock);
    timer.start();
    advance(50_000);
    timer.activity();
    advance(50_000);
    expect(locks).toBe(0);
    timer.activity();
    advance(59_999);
    expect(locks).toBe(0);
    advance(1);
    expect(locks).toBe(1);
  });

  it('arms one timer however much the mouse moves', () => {
    const { clock, advance, pending } = fakeClock();
    const timer = new IdleTimer(60_000, () => {}, clock);
    timer.start();
    for (let i = 0; i < 1000; i += 1) {
      advance(10);
      timer.activity();
    }
    expect(pending()).toBe(1);
  });

  it('never fires once stopped (the vault locked or the page went)', () => {
    const { clock, advance, pending } = fakeClock();
    let locks = 0;
    const timer = new IdleTimer(1000, () => (locks += 1), clock);
    timer.start();
    timer.stop();
    advance(10_000);
    expect(locks).toBe(0);
    expect(pending()).toBe(0);
  });

  it('can start again after firing', () => {
    const { clock, advance } = fakeClock();
    let locks = 0;
    const timer = new IdleTimer(1000, () => (locks += 1), clock);
    timer.start();
    advance(1000);
    timer.start();
    advance(1000);
    expect(locks).toBe(2);
  });

  it('listens to keys, clicks, pointer movement, the wheel and touch', () => {
    expect([...ACTIVITY_EVENTS].sort()).toEqual(['keydown', 'pointerdown', 'pointermove', 'touchstart', 'wheel']);
    expect(minutesToMs(5)).toBe(300_000);
  });
});
