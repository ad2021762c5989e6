// PD's ids (src/domain/db.ts newId): time-ordered, so paging and "newest first" can sort by id; shorter than the
// hex ids of before 2026-12 (storage, issue 10), and still sorted after every one of them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/domain/db.ts';

/** An id as newId made them before 2026-12: 12 hex digits of milliseconds, 16 of random. */
const hexId = (prefix: string, ms: number) => `${prefix}_${ms.toString(16).padStart(12, '0')}${'f'.repeat(16)}`;

afterEach(() => vi.restoreAllMocks());

describe('newId', () => {
  it('sorts by creation time as SQLite compares text, across every step of the clock', () => {
    let now = Date.parse('2026-12-01T00:00:00.000Z');
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      // Steps of 0 ms up to a year (20 years in all), so every character of the time part turns over somewhere.
      const step = i % 50 === 49 ? 31_557_600_000 : [0, 1, 63, 64, 4095, 4096, 262_144, 16_777_216, 86_400_000][(i * 7) % 9];
      now += step + (i % 5);
      ids.push(newId('trk'));
    }
    expect(clock).toHaveBeenCalled();
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is 22 characters after a 3-letter prefix, URL-safe, and sorts after every id of the old hex form', () => {
    const id = newId('col');
    expect(id).toMatch(/^col_[-0-9A-Za-z_]{18}$/);
    expect(encodeURIComponent(id)).toBe(id);
    // The newest old-form id could have been made a moment ago; a new id made now or later sorts after it.
    expect(id > hexId('col', Date.now())).toBe(true);
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2109-01-01T00:00:00.000Z'));
    expect(newId('col') > hexId('col', Date.parse('2109-01-01T00:00:00.000Z'))).toBe(true);
  });
});
