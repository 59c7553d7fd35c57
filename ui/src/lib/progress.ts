// How far long work has got (an attach, an export), as the app's progress reports say:
// bytes done of bytes expected. Pure, for the busy indicator.

import type { Progress } from './api';

/** Whole percent done, or `null` while nothing is known (no report yet, or nothing to do). */
export function percent(progress: Progress | null): number | null {
  if (progress === null || progress.total <= 0) return null;
  return Math.min(100, Math.floor((progress.done * 100) / progress.total));
}
