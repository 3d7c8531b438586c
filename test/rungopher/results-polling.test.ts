import { describe, expect, it } from 'vitest';
import { MAX_RECENT_IDS, RESULT_ENDPOINTS, cursorName, decodeCursor, encodeCursor, formatAfter, nextMark, pollFrom, resultsPath } from '#rungopher/domain/results-polling.ts';

describe('results polling rules', () => {
  it('lists the 12 documented endpoints', () => {
    expect(RESULT_ENDPOINTS).toHaveLength(12);
    expect(new Set(RESULT_ENDPOINTS).size).toBe(12);
    expect(cursorName('allSms')).toBe('rungopher:results:allSms');
  });
  it('formats after as whole seconds with an explicit offset, rounding down', () => {
    expect(formatAfter(Date.parse('2017-07-13T00:00:00.999Z'))).toBe('2017-07-13T00:00:00+00:00');
  });
  it('URL-encodes the + of the offset as %2B', () => {
    expect(resultsPath('allSms', '2017-07-13T00:00:00+10:00')).toBe('results/allSms?after=2017-07-13T00%3A00%3A00%2B10%3A00');
  });
  it('starts a look-back before the mark, never before the start date', () => {
    const start = Date.parse('2017-01-01T00:00:00Z');
    expect(pollFrom(undefined, 900_000, start)).toBe(start);
    expect(pollFrom(start + 1_000_000, 900_000, start)).toBe(start + 100_000);
    expect(pollFrom(start + 1000, 900_000, start)).toBe(start);
  });
  it('moves the mark only forward, to the last stored time, staying below a cut tie', () => {
    expect(nextMark(undefined, [], undefined)).toBeUndefined();
    expect(nextMark(5000, [], undefined)).toBe(5000);
    expect(nextMark(5000, [1000, 7000], undefined)).toBe(7000);
    expect(nextMark(9000, [1000, 7000], undefined)).toBe(9000);
    expect(nextMark(undefined, [7000, 8000], 8000)).toBe(7000);
    expect(nextMark(undefined, [7000, 8000], 9000)).toBe(8000);
  });

  it('cursor values round-trip, read a bare time, refuse garbage, and cap the ids kept', () => {
    const ms = Date.parse('2024-01-01T00:00:00Z');
    expect(decodeCursor(encodeCursor({ markMs: ms, recentIds: ['1', '2'] }))).toEqual({ markMs: ms, recentIds: ['1', '2'] });
    expect(decodeCursor('2024-01-01T00:00:00Z')).toEqual({ markMs: ms, recentIds: [] });
    expect(decodeCursor('{"mark":"nope"}')).toBeUndefined();
    expect(decodeCursor('{broken')).toBeUndefined();
    const many = Array.from({ length: MAX_RECENT_IDS + 10 }, (_, i) => String(i));
    const kept = decodeCursor(encodeCursor({ markMs: ms, recentIds: many }))?.recentIds ?? [];
    expect(kept).toHaveLength(MAX_RECENT_IDS);
    expect(kept.at(-1)).toBe(String(MAX_RECENT_IDS + 9));
  });
});
