// The idle timer behind the auto-lock: after `timeoutMs` with no key press, click, pointer
// movement, wheel or touch in the page, it calls `onIdle` once. Activity only records a
// time (no timer is re-armed on every mouse move); the timer checks when it fires.

/** The page events that count as someone at the keyboard. */
export const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/** Time and timers, so tests can drive them. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Minutes from the settings as milliseconds. */
export function minutesToMs(minutes: number): number {
  return minutes * 60_000;
}

export class IdleTimer {
  private last: number;
  private handle: unknown = null;
  private fired = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onIdle: () => void,
    private readonly clock: Clock = realClock,
  ) {
    this.last = clock.now();
  }

  /** Starts counting from now. */
  start(): void {
    this.stop();
    this.fired = false;
    this.last = this.clock.now();
    this.arm(this.timeoutMs);
  }

  /** Someone is there: the count starts again. */
  activity(): void {
    this.last = this.clock.now();
  }

  /** Stops the timer; `onIdle` will not be called. */
  stop(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  private arm(ms: number): void {
    this.handle = this.clock.setTimeout(() => this.check(), Math.max(0, ms));
  }

  private check(): void {
    this.handle = null;
    if (this.fired) return;
    const idle = this.clock.now() - this.last;
    if (idle >= this.timeoutMs) {
      this.fired = true;
      this.onIdle();
    } else {
      this.arm(this.timeoutMs - idle);
    }
  }
}
