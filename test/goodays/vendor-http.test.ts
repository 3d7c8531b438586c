import { describe, expect, it } from 'vitest';
import { VendorError } from '#platform/errors.ts';
import type { FetchLike } from '#platform/vendor-http.ts';
import { vendorRequest } from '#platform/vendor-http.ts';
import { TimeBudgetError } from '#platform/errors.ts';

/** A fetch answering the given statuses in turn (then 200), counting calls. */
function answers(...statuses: { status: number; retryAfter?: string }[]) {
  const calls: string[] = [];
  const fetchImpl: FetchLike = async (url) => {
    calls.push(url.pathname);
    const next = statuses.shift() ?? { status: 200 };
    const headers: Record<string, string> = next.retryAfter === undefined ? {} : { 'retry-after': next.retryAfter };
    return new Response(JSON.stringify({ message: `status ${next.status}` }), { status: next.status, headers });
  };
  return { calls, fetchImpl };
}

const put = { method: 'PUT' as const, url: new URL('http://goodays.test/v2/responses/r1/reply'), json: { content: 'hi' }, timeoutMs: 1_000 };
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

describe('vendorRequest for writes Goodays must not repeat (serverErrorOutcomeUnknown)', () => {
  it.each([500, 502, 504, 503])('a %i (without Retry-After) is an unknown outcome, not retried', async (status) => {
    const f = answers({ status });
    const err = await vendorRequest('goodays', put, { ...fast, retryUnknownOutcome: false, serverErrorOutcomeUnknown: true }, f.fetchImpl).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ status, outcomeUnknown: true });
    expect(f.calls).toHaveLength(1);
  });

  it('retries 429 and 503 with Retry-After, which Goodays answers before acting', async () => {
    const f = answers({ status: 429, retryAfter: '0' }, { status: 503, retryAfter: '0' });
    const res = await vendorRequest('goodays', put, { ...fast, retryUnknownOutcome: false, serverErrorOutcomeUnknown: true }, f.fetchImpl);
    expect(res.status).toBe(200);
    expect(f.calls).toHaveLength(3);
  });

  it('still retries every 5xx for other callers', async () => {
    const f = answers({ status: 500 }, { status: 502 });
    const res = await vendorRequest('goodays', put, fast, f.fetchImpl);
    expect(res.status).toBe(200);
    expect(f.calls).toHaveLength(3);
  });
});

describe('vendorRequest deadline', () => {
  it('starts no attempt whose timeout could run past the deadline', async () => {
    const f = answers();
    const err = await vendorRequest('goodays', { ...put, timeoutMs: 10_000 }, { deadline: Date.now() + 5_000 }, f.fetchImpl).catch((e: unknown) => e);
    // Out of time, not a vendor outage: the caller hands the work back instead of counting a failure.
    expect(err).toBeInstanceOf(TimeBudgetError);
    expect(f.calls).toHaveLength(0);
  });

  it('starts no retry whose back-off plus timeout would end past the deadline', async () => {
    const f = answers({ status: 503, retryAfter: '1' });
    const err = await vendorRequest('goodays', { ...put, timeoutMs: 3_000 }, { deadline: Date.now() + 3_500 }, f.fetchImpl).catch((e: unknown) => e);
    // The first attempt fits (3 s of 3.5 s); waiting 1 s then 3 s more would not.
    expect(err).toMatchObject({ status: 503 });
    expect(f.calls).toHaveLength(1);
  });

  it('attempts when the whole timeout fits before the deadline', async () => {
    const f = answers();
    const res = await vendorRequest('goodays', { ...put, timeoutMs: 1_000 }, { deadline: Date.now() + 5_000 }, f.fetchImpl);
    expect(res.status).toBe(200);
    expect(f.calls).toHaveLength(1);
  });
});
