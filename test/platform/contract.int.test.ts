import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE_BYTES } from '#platform/list-page.ts';
import { makeResult } from '#test/rungopher/samples.ts';
import { eventually, startTestHub } from '#test/helpers/hub.ts';

/**
 * The one contract on every operator route of the running hub: list pages, `limit`, problem details
 * on every error, and pages cut before about 5 MB.
 */

type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;

const LISTS = ['/rungopher/results', '/goodays/responses', '/netcore/users', '/netcore/users/someone/transcripts'] as const;

const raw = async (path: string, token: string | null = hub.env.HUB_OPERATOR_TOKEN ?? '') => {
  const res = await fetch(`${hub.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), bytes: Buffer.byteLength(text), body: JSON.parse(text) as Record<string, unknown> };
};

const post = (body: string) => fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.cleanup();
});

describe('the operator API contract', () => {
  it('every list answers exactly { items, nextCursor }, and takes limit 1 to 1000', async () => {
    for (const path of [...LISTS, '/netcore/usage']) {
      const r = await raw(path);
      expect({ path, status: r.status, keys: Object.keys(r.body).sort() }).toEqual({ path, status: 200, keys: ['items', 'nextCursor'] });
    }
    for (const path of LISTS) {
      expect({ path, status: (await raw(`${path}?limit=1000`)).status }).toEqual({ path, status: 200 });
      for (const limit of ['0', '1001', 'ten']) {
        const r = await raw(`${path}?limit=${limit}`);
        expect({ path, limit, status: r.status, contentType: r.contentType, type: r.body.type, errors: r.body.errors }).toEqual({
          path,
          limit,
          status: 400,
          contentType: 'application/problem+json',
          type: 'urn:switchboard:problem:invalid-request',
          errors: [{ name: 'limit', detail: expect.any(String) }],
        });
      }
    }
  });

  it('answers 401 and 404 as problem details', async () => {
    for (const path of LISTS) {
      for (const token of [null, 'wrong']) {
        const r = await raw(path, token);
        expect({ path, status: r.status, contentType: r.contentType, body: r.body }).toEqual({
          path,
          status: 401,
          contentType: 'application/problem+json',
          body: { type: 'urn:switchboard:problem:unauthorized', title: 'Unauthorized', status: 401, detail: expect.stringContaining('Bearer') },
        });
      }
    }
    const missing = await raw('/rungopher/campaigns/1/contacts/nobody');
    expect(missing).toMatchObject({ status: 404, contentType: 'application/problem+json', body: { type: 'urn:switchboard:problem:not-found', status: 404, title: 'Not found' } });
    const webhook = await fetch(`${hub.url}/webhooks/rungopher/wrong-token`, { method: 'POST', body: '{}' });
    expect({ status: webhook.status, contentType: webhook.headers.get('content-type') }).toEqual({ status: 401, contentType: 'application/problem+json' });
  });

  it('gives 100 items by default, and cuts a page of big items before 5 MB; nextCursor continues with nothing lost or repeated', async () => {
    // 30 results of about 200 KB each (6 MB in all) and 105 small ones.
    const padding = 'p'.repeat(200 * 1024);
    const big = Array.from({ length: 30 }, (_, i) => makeResult({ id: 900_000 + i, campaignId: 77, contactId: String(i), resultType: 'sms', resultName: 'allSms', data: { kind: 'inbound_sms', campaignName: 'Big', content: padding }, timestamp: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` }));
    const small = Array.from({ length: 105 }, (_, i) => makeResult({ id: 950_000 + i, campaignId: 78, contactId: String(i), timestamp: `2026-01-02T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z` }));
    for (const r of [...big, ...small]) expect((await post(JSON.stringify(r))).status).toBe(200);
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined), { timeoutMs: 60_000 });

    const byDefault = await raw('/rungopher/results?campaignId=78');
    expect((byDefault.body.items as { id: string }[]).map((i) => i.id)).toEqual(small.slice(0, 100).map((r) => String(r.id)));
    const rest = await raw(`/rungopher/results?campaignId=78&cursor=${String(byDefault.body.nextCursor)}`);
    expect(rest.body).toMatchObject({ items: small.slice(100).map((r) => ({ id: String(r.id) })), nextCursor: null });

    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r = await raw(`/rungopher/results?campaignId=77&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      sizes.push(r.bytes);
      ids.push(...(r.body.items as { id: string }[]).map((i) => i.id));
      cursor = r.body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(ids).toEqual(big.map((b) => String(b.id)));
    expect(sizes.length).toBe(2);
    for (const s of sizes) expect(s).toBeLessThan(MAX_PAGE_BYTES + 4096);
    expect(sizes[0]).toBeGreaterThan(MAX_PAGE_BYTES - 300 * 1024);
  }, 120_000);
});
