import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '#platform/errors.ts';
import { errorResponse } from '#platform/http.ts';
import { DEFAULT_LIMIT, ListQuery, MAX_LIMIT, MAX_PAGE_BYTES, sizedPage } from '#platform/list-page.ts';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from '#platform/problem.ts';
import { utcTime } from '#platform/time.ts';
import { parseInput } from '#platform/validation.ts';

/** The one contract of the operator API: problem details, list pages, times. */

const parsed = (r: ReturnType<typeof errorResponse>) => ({ status: r.statusCode, contentType: r.headers?.['content-type'], body: JSON.parse(String(r.body)) as unknown });

describe('errors are RFC 9457 problem details', () => {
  it('maps each error class to its status, type and title, with the detail and each bad parameter', () => {
    expect(parsed(errorResponse(new ValidationError('Invalid query', [{ name: 'limit', detail: 'Too big' }])))).toEqual({
      status: 400,
      contentType: PROBLEM_CONTENT_TYPE,
      body: { type: 'urn:switchboard:problem:invalid-request', title: 'Invalid request', status: 400, detail: 'Invalid query', errors: [{ name: 'limit', detail: 'Too big' }] },
    });
    expect(parsed(errorResponse(new UnauthorizedError('no token')))).toEqual({
      status: 401,
      contentType: PROBLEM_CONTENT_TYPE,
      body: { type: 'urn:switchboard:problem:unauthorized', title: 'Unauthorized', status: 401, detail: 'no token' },
    });
    expect(errorResponse(new UnauthorizedError('x')).headers?.['www-authenticate']).toBe('Bearer');
    expect(parsed(errorResponse(new NotFoundError('nothing'))).body).toEqual({ type: 'urn:switchboard:problem:not-found', title: 'Not found', status: 404, detail: 'nothing' });
    expect(parsed(errorResponse(new PayloadTooLargeError('big'))).body).toEqual({ type: 'urn:switchboard:problem:payload-too-large', title: 'Payload too large', status: 413, detail: 'big' });
    expect(parsed(errorResponse(new Error('secret details')))).toEqual({
      status: 500,
      contentType: PROBLEM_CONTENT_TYPE,
      body: { type: 'urn:switchboard:problem:internal-error', title: 'Internal error', status: 500, detail: 'Internal error; the request can be retried' },
    });
  });

  it('keeps a conflict\'s details as extension members, never over the standard ones', () => {
    const body = parsed(errorResponse(new ConflictError('not now', { allowed: ['call'], status: 200, type: 'x' }))).body;
    expect(body).toEqual({ type: 'urn:switchboard:problem:conflict', title: 'Conflict', status: 409, detail: 'not now', allowed: ['call'] });
    expect(ProblemSchema.safeParse(body).success).toBe(true);
  });

  it('names every bad parameter of a query', () => {
    try {
      parseInput(ListQuery, { limit: '0', cursor: 'not base64url!' }, 'Invalid query');
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).issues.map((i) => i.name).sort()).toEqual(['cursor', 'limit']);
    }
  });
});

describe('list pages', () => {
  it('takes limit 1 to 1000, 100 by default', () => {
    expect(parseInput(ListQuery, {})).toEqual({ limit: DEFAULT_LIMIT });
    expect(DEFAULT_LIMIT).toBe(100);
    expect(parseInput(ListQuery, { limit: String(MAX_LIMIT) }).limit).toBe(1000);
    for (const limit of ['0', '1001', '1.5', 'x', '-1']) expect(() => parseInput(ListQuery, { limit })).toThrow(ValidationError);
  });

  it('stops a page before the byte budget and continues after the last item given (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { maxLength: 40 }), fc.integer({ min: 1, max: 400 }), fc.boolean(), (all, budget, more) => {
        const views = all.map((text, i) => ({ i, text }));
        // Page after page, as a client would follow nextCursor (the cursor here is the next index).
        const seen: typeof views = [];
        let from = 0;
        for (let guard = 0; guard <= views.length + 1 && from <= views.length; guard++) {
          const rest = views.slice(from);
          const page = sizedPage(rest, rest.length === 0 || !more ? null : 'store-cursor', (index) => String(from + index + 1), budget);
          expect(page.items.length).toBeGreaterThanOrEqual(Math.min(1, rest.length));
          const bytes = page.items.map((v) => Buffer.byteLength(JSON.stringify(v))).reduce((a, b) => a + b + 1, -1);
          if (page.items.length > 1) expect(bytes).toBeLessThanOrEqual(budget);
          seen.push(...page.items);
          if (page.items.length === rest.length) {
            expect(page.nextCursor).toBe(rest.length === 0 || !more ? null : 'store-cursor');
            break;
          }
          expect(page.nextCursor).toBe(String(from + page.items.length));
          from += page.items.length;
        }
        expect(seen).toEqual(views);
      }),
    );
  });

  it('keeps the whole page when it fits, and at least one item when one alone is over the budget', () => {
    expect(sizedPage([{ a: 1 }], 'next', () => 'cut')).toEqual({ items: [{ a: 1 }], nextCursor: 'next' });
    const big = 'x'.repeat(MAX_PAGE_BYTES);
    expect(sizedPage([big, 'y'], null, (i) => `after-${i}`)).toEqual({ items: [big], nextCursor: 'after-0' });
  });
});

describe('times are ISO-8601 UTC', () => {
  it('moves offsets to UTC and keeps the fraction as the vendor gave it', () => {
    expect(utcTime('2020-02-05T10:20:39.810686+01:00')).toBe('2020-02-05T09:20:39.810686Z');
    expect(utcTime('2020-02-05T00:20:39-0130')).toBe('2020-02-05T01:50:39.000Z');
    expect(utcTime('2026-11-21T13:12:02.819Z')).toBe('2026-11-21T13:12:02.819Z');
    expect(utcTime('2026-11-21 13:12')).toBe('2026-11-21T13:12:00.000Z');
    expect(utcTime(1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
    for (const v of [undefined, null, '', 'yesterday', '2026-13-01T00:00:00Z', {}, Number.NaN]) expect(utcTime(v)).toBeNull();
  });

  it('gives text that sorts as the instants do (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (d, offsetMinutes) => {
        const local = new Date(d.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const text = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(utcTime(text)).toBe(d.toISOString());
      }),
    );
  });
});
