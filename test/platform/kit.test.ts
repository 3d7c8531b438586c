import fc from 'fast-check';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { limiter, mapLimit, mapLimitSettled } from '#platform/concurrency.ts';
import { functionConfig, setting } from '#platform/config.ts';
import type { Cursor, CursorStore } from '#platform/cursor-store.ts';
import { ConfigError, TimeBudgetError, ValidationError } from '#platform/errors.ts';
import { JsonString, parseJson } from '#platform/json.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { jsonCursor, pollLoop } from '#platform/poll-loop.ts';
import { deadlineOf, ensureTime, hasTime, timeBudget } from '#platform/time-budget.ts';
import { parseInput } from '#platform/validation.ts';

describe('TimeBudget', () => {
  it('starts a unit only when it ends before the reserve, and caps the run', () => {
    let left = 10_000;
    const b = timeBudget({ getRemainingTimeInMillis: () => left }, { reserveMs: 3_000, requestMs: 5_000 });
    expect(hasTime(b)).toBe(true);
    left = 7_999;
    expect(hasTime(b)).toBe(false);
    expect(hasTime(b, 0)).toBe(true);
    expect(() => ensureTime(b, 'a request')).toThrow(TimeBudgetError);
    expect(deadlineOf(b, 1_000)).toBe(1_000 + 4_999);
    const capped = timeBudget({ getRemainingTimeInMillis: () => 60_000 }, { reserveMs: 2_000, capMs: 22_000 });
    expect(deadlineOf(capped) - Date.now()).toBeLessThanOrEqual(20_000);
    expect(deadlineOf(capped) - Date.now()).toBeGreaterThan(19_000);
  });
});

describe('pageCursor', () => {
  const users = pageCursor('users', z.object({ id: z.string(), at: z.string() }).strict());
  const other = pageCursor('transcripts', z.object({ id: z.string(), at: z.string() }).strict());

  it('gives back what it encoded, and nothing for no cursor', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (id, at) => {
        expect(users.decode(users.encode({ id, at }))).toEqual({ id, at });
      }),
    );
    expect(users.decode(undefined)).toBeUndefined();
    expect(users.decode('')).toBeUndefined();
  });

  it('refuses a foreign, tampered or made-up cursor with a 400 naming cursor, whatever it is', () => {
    const refused = (c: string) => {
      try {
        users.decode(c);
        return false;
      } catch (err) {
        return err instanceof ValidationError && err.issues.length > 0 && err.issues.every((i) => i.name === 'cursor');
      }
    };
    expect(refused(other.encode({ id: 'a', at: 'b' }))).toBe(true);
    expect(refused(Buffer.from(JSON.stringify(['users', { id: 'a', at: 'b', extra: 1 }])).toString('base64url'))).toBe(true);
    expect(refused(Buffer.from(JSON.stringify({ id: 'a', at: 'b' })).toString('base64url'))).toBe(true);
    expect(refused('not base64url!')).toBe(true);
    expect(() => users.decode(users.encode({ id: 'a', at: 'b' }), (p) => (p.id === 'a' ? 'position is for another user' : undefined))).toThrow(/not one this API gave out/);
    // Any other string: either refused as above or (by chance) a valid position of this list, never another error.
    fc.assert(fc.property(fc.string({ minLength: 1 }), (c) => {
      try {
        users.decode(c);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
      }
    }));
  });
});

describe('JSON strings, input and config', () => {
  it('parses JSON text by schema and says why it is not', () => {
    expect(parseJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJson('{')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    const Msg = JsonString(z.object({ a: z.number() }));
    expect(Msg.parse('{"a":1}')).toEqual({ a: 1 });
    expect(Msg.safeParse('{"a":"x"}').success).toBe(false);
    expect(Msg.safeParse('nope').success).toBe(false);
  });

  it('turns zod failures into a 400 naming each field', () => {
    const Q = z.object({ limit: z.coerce.number().int().max(10) });
    expect(parseInput(Q, { limit: '5' })).toEqual({ limit: 5 });
    expect(() => parseInput(Q, { limit: '50' })).toThrow(ValidationError);
    try {
      parseInput(Q, { limit: 'x' }, 'Invalid query');
    } catch (err) {
      expect((err as ValidationError).message).toBe('Invalid query');
      expect((err as ValidationError).issues).toEqual([{ name: 'limit', detail: expect.any(String) }]);
    }
  });

  it('reads a function config once and names every missing or invalid variable', () => {
    const env = process.env;
    try {
      process.env = { ...env, KIT_TEST_N: 'x' };
      delete process.env.KIT_TEST_REQUIRED;
      delete process.env.TABLE_KIT_TEST;
      const config = functionConfig({
        n: setting.optional('KIT_TEST_N', z.coerce.number(), 3),
        required: setting.required('KIT_TEST_REQUIRED'),
        table: setting.table('kit-test'),
      });
      expect(config).toThrow(ConfigError);
      expect(config).toThrow(/KIT_TEST_N.*KIT_TEST_REQUIRED.*TABLE_KIT_TEST/);
      process.env = { ...env, KIT_TEST_REQUIRED: 'yes', TABLE_KIT_TEST: 'tbl' };
      expect(config()).toEqual({ n: 3, required: 'yes', table: 'tbl' });
      process.env = { ...env };
      expect(config()).toEqual({ n: 3, required: 'yes', table: 'tbl' });
    } finally {
      process.env = env;
    }
  });
});

describe('mapLimit', () => {
  it('never runs more than the limit at once and starts nothing after a failure or a stop', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { maxLength: 30 }), fc.integer({ min: 1, max: 6 }), async (fails, limit) => {
        let running = 0;
        let peak = 0;
        const started: number[] = [];
        const { settled, stopped } = await mapLimitSettled(fails, limit, async (fail, i) => {
          started.push(i);
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 0));
          running--;
          if (fail) throw new Error(`item ${i}`);
          return i;
        });
        expect(peak).toBeLessThanOrEqual(limit);
        const firstFail = fails.indexOf(true);
        if (firstFail === -1) expect(settled.every((s) => s?.status === 'fulfilled')).toBe(true);
        else {
          expect(stopped).toBe('failure');
          // Nothing starts once a failure is seen: at most `limit - 1` more were already running.
          expect(Math.max(...started)).toBeLessThan(firstFail + limit);
        }
      }),
      { numRuns: 60 },
    );
    const stops = await mapLimitSettled([1, 2, 3, 4], 1, async (x) => x, () => true);
    expect(stops).toMatchObject({ stopped: 'stop', settled: [undefined, undefined, undefined, undefined] });
    await expect(mapLimit([1, 2], 2, async (x) => (x === 2 ? Promise.reject(new Error('two')) : x))).rejects.toThrow('two');
    expect(await mapLimit([1, 2, 3], 2, async (x) => x * 2)).toEqual([2, 4, 6]);
  });
});

/** An in-memory cursor store with the DynamoDB one's conditional move. */
function memoryCursors(): CursorStore & { items: Map<string, Cursor> } {
  const items = new Map<string, Cursor>();
  return {
    items,
    get: async (name) => items.get(name),
    async move(name, expected, value) {
      if ((items.get(name)?.version ?? 0) !== (expected?.version ?? 0)) return false;
      items.set(name, { name, value, version: (expected?.version ?? 0) + 1, updatedAt: new Date().toISOString() });
      return true;
    },
  };
}

describe('limiter', () => {
  it('runs at most the limit at once, each call to its end, in the order they came, through failures', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 })), { maxLength: 12 }), async (limit, calls) => {
        const gate = limiter(limit);
        let running = 0;
        let peak = 0;
        const started: number[] = [];
        const results = await Promise.allSettled(
          calls.map(([fail, ms], i) =>
            gate(async () => {
              started.push(i);
              running++;
              peak = Math.max(peak, running);
              await new Promise((r) => setTimeout(r, ms));
              running--;
              if (fail) throw new Error(`call ${i}`);
              return i;
            }),
          ),
        );
        expect(peak).toBeLessThanOrEqual(limit);
        expect(started).toEqual(calls.map((_, i) => i));
        results.forEach((r, i) => expect(r.status).toBe(calls[i]?.[0] ? 'rejected' : 'fulfilled'));
      }),
      { numRuns: 30 },
    );
  });
});

describe('pollLoop', () => {
  const Position = z.object({ page: z.number() });
  const codec = jsonCursor('test', Position);
  const plenty = { remainingMs: () => 60_000, reserveMs: 1_000, requestMs: 1_000 };

  it('moves the cursor only after each page is stored, to the end', async () => {
    const cursors = memoryCursors();
    const seen: (number | undefined)[] = [];
    const out = await pollLoop({ cursors, name: 'test', codec, budget: plenty, page: async (p) => (seen.push(p?.page), { next: { page: (p?.page ?? 0) + 1 }, more: (p?.page ?? 0) < 2 }) });
    expect(out).toEqual({ outcome: 'complete', pages: 3, moved: true });
    expect(seen).toEqual([undefined, 1, 2]);
    expect(JSON.parse(cursors.items.get('test')?.value ?? '')).toEqual({ page: 3 });
  });

  it('stops between pages when time runs short, and on a page that failed, with the cursor where the last stored page left it', async () => {
    const cursors = memoryCursors();
    let left = 60_000;
    const budget = { ...plenty, remainingMs: () => left };
    const out = await pollLoop({ cursors, name: 'test', codec, budget, page: async (p) => ((left = 1_500), { next: { page: (p?.page ?? 0) + 1 }, more: true }) });
    expect(out).toEqual({ outcome: 'time', pages: 1, moved: true });
    left = 60_000;
    const timedOut = await pollLoop({ cursors, name: 'test', codec, budget, page: async () => Promise.reject(new TimeBudgetError('page not finished')) });
    expect(timedOut).toEqual({ outcome: 'time', pages: 0, moved: false });
    await expect(pollLoop({ cursors, name: 'test', codec, budget, page: async () => Promise.reject(new Error('store down')) })).rejects.toThrow('store down');
    expect(JSON.parse(cursors.items.get('test')?.value ?? '')).toEqual({ page: 1 });
  });

  it('yields to a run that moved the cursor first, and refuses a cursor it cannot read', async () => {
    const cursors = memoryCursors();
    const out = await pollLoop({
      cursors,
      name: 'test',
      codec,
      budget: plenty,
      page: async () => {
        await cursors.move('test', undefined, JSON.stringify({ page: 9 }));
        return { next: { page: 1 }, more: true };
      },
    });
    expect(out).toEqual({ outcome: 'conflict', pages: 1, moved: false });
    expect(JSON.parse(cursors.items.get('test')?.value ?? '')).toEqual({ page: 9 });
    await cursors.move('test', cursors.items.get('test'), 'garbage');
    await expect(pollLoop({ cursors, name: 'test', codec, budget: plenty, page: async () => ({ more: false }) })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('no personal data in reasons and errors', () => {
  it('a JSON reason says what and where, without quoting the text', () => {
    const out = parseJson('+61400111222 call me back');
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.reason).toMatch(/^not JSON/);
      expect(out.reason).not.toContain('61400111222');
    }
  });

  it('a vendor error names the route template, not the id in the path', async () => {
    const { vendorRequest } = await import('#platform/vendor-http.ts');
    const url = new URL('http://127.0.0.1:9/users/61400111222');
    const refuse = async () => new Response('{"message":"no"}', { status: 403 });
    const failure = (p: Promise<unknown>) => p.then(() => new Error('answered'), (e: unknown) => e as Error);
    const err = await failure(vendorRequest('acme', { method: 'GET', url, route: '/users/{botUserId}' }, { maxAttempts: 1 }, refuse));
    expect(err.message).toContain('/users/{botUserId} answered 403');
    expect(err.message).not.toContain('61400111222');
    const plain = await failure(vendorRequest('acme', { method: 'GET', url }, { maxAttempts: 1 }, refuse));
    expect(plain.message).toContain('/users/61400111222');
  });
});
