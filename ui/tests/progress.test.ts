import { describe, expect, it } from 'vitest';
import { percent } from '../src/lib/progress';

describe('percent', () => {
  it('is unknown until a report comes, and for nothing to do', () => {
    expect(percent(null)).toBeNull();
    expect(percent({ done: 0, total: 0 })).toBeNull();
  });

  it('counts whole percent, never past 100', () => {
    expect(percent({ done: 0, total: 4_294_967_296 })).toBe(0);
    expect(percent({ done: 4_194_304, total: 4_294_967_296 })).toBe(0);
    expect(percent({ done: 2_147_483_648, total: 4_294_967_296 })).toBe(50);
    expect(percent({ done: 4_294_967_295, total: 4_294_967_296 })).toBe(99);
    expect(percent({ done: 4_294_967_296, total: 4_294_967_296 })).toBe(100);
    expect(percent({ done: 5, total: 4 })).toBe(100);
  });
});
