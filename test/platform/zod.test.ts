import fc from 'fast-check';
import * as classic from 'zod';
import { describe, expect, it } from 'vitest';
import * as z from '#platform/zod.ts';

/** What a log line shows of a parse's failure (Powertools' `formatError`: name, message, stack), or its value. */
function outcome(parse: () => unknown) {
  try {
    return { value: parse() };
  } catch (err) {
    const e = err as Error & { issues: unknown };
    return { isError: e instanceof Error, name: e.name, message: e.message, stackHead: e.stack?.split('\n')[0], hasFrames: /\n\s+at /.test(e.stack ?? ''), keys: Object.keys(e), issues: e.issues };
  }
}

describe('parseLogged', () => {
  // A stored item's shape, built with either zod.
  const Classic = classic.object({ id: classic.string(), version: classic.number(), note: classic.string().optional(), tags: classic.array(classic.string()).nullable().optional() });
  const Mini = z.object({ id: z.string(), version: z.number(), note: z.optional(z.string()), tags: z.optional(z.nullable(z.array(z.string()))) });

  it('fails as classic zod does, by the same name (ZodError, not $ZodError), message and issues, and parses to the same value', () => {
    const near = fc.record({ id: fc.oneof(fc.string(), fc.anything()), version: fc.oneof(fc.double(), fc.anything()), note: fc.oneof(fc.string(), fc.anything()), tags: fc.oneof(fc.array(fc.string()), fc.constant(null), fc.anything()) }, { requiredKeys: [] });
    let failures = 0;
    fc.assert(
      fc.property(fc.oneof(near, fc.anything()), (item) => {
        const before = outcome(() => Classic.parse(item));
        if (!('value' in before)) failures++;
        expect(outcome(() => z.parseLogged(Mini, item))).toEqual(before);
      }),
      { numRuns: 2000 },
    );
    expect(failures).toBeGreaterThan(100);
  });

  it('is what zod/mini’s own parse would not give', () => {
    expect(outcome(() => Mini.parse({})).name).toBe('$ZodError');
    expect(outcome(() => z.parseLogged(Mini, {})).name).toBe('ZodError');
  });
});
