import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetcoreClient } from '#netcore/adapters/client.ts';
import { VendorError } from '#platform/errors.ts';
import { startNetcoreSandbox, type NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { sampleMessage } from '#infra/local/sandboxes/netcore-samples.ts';
import type { FetchLike } from '#platform/vendor-http.ts';

/** The Netcore client against the sandbox over real HTTP, with one clock shared by both. */
describe('Netcore client against the sandbox', () => {
  let clock = Date.parse('2026-11-21T12:00:00.000Z');
  const now = () => clock;
  let sandbox: NetcoreSandbox;
  const seen: { url: string; auth: string | undefined }[] = [];
  const recordingFetch: FetchLike = (url, init) => {
    seen.push({ url: url.toString(), auth: (init.headers as Record<string, string> | undefined)?.authorization });
    return fetch(url, init);
  };
  const client = (extra: Partial<ConstructorParameters<typeof NetcoreClient>[0]> = {}) =>
    new NetcoreClient({
      baseUrl: `${sandbox.url}/`,
      credentials: async () => ({ appId: 'app-1', appSecret: 'secret-1' }),
      refreshBeforeMs: 5_000,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      fetchImpl: recordingFetch,
      now,
      ...extra,
    });

  beforeEach(async () => {
    clock = Date.parse('2026-11-21T12:00:00.000Z');
    seen.length = 0;
    sandbox = await startNetcoreSandbox({ appId: 'app-1', appSecret: 'secret-1', tokenTtlMs: 60_000, now, seed: { usersPerChannel: 2, messagesPerUser: 5 } });
  });
  afterEach(async () => sandbox.stop());

  it('logs in once, reuses the token, and sends it raw in Authorization', async () => {
    const c = client();
    await c.usage({ monthDate: '2026-11-01' });
    await c.users({ page: 1, limit: 25, channelIds: [1010, 1014] });
    expect(c.stats.logins).toBe(1);
    expect(sandbox.counts.login).toBe(1);
    const authed = seen.filter((s) => !s.url.endsWith('/login'));
    expect(authed).toHaveLength(2);
    expect(authed.every((s) => s.auth && !s.auth.startsWith('Bearer'))).toBe(true);
  });

  it('is refused by the sandbox with Bearer, as the real server does', async () => {
    const login = await fetch(`${sandbox.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: 'app-1', appSecret: 'secret-1' }) });
    const { authToken } = (await login.json()) as { authToken: string };
    const bearer = await fetch(`${sandbox.url}/botUsage`, { headers: { authorization: `Bearer ${authToken}` } });
    const raw = await fetch(`${sandbox.url}/botUsage`, { headers: { authorization: authToken } });
    expect([bearer.status, raw.status]).toEqual([401, 200]);
  });

  it('renews the token before it expires, from expireAt or expiresAt', async () => {
    for (const expiryKey of ['expireAt', 'expiresAt'] as const) {
      await sandbox.stop();
      sandbox = await startNetcoreSandbox({ tokenTtlMs: 60_000, now, expiryKey, seed: { usersPerChannel: 1, messagesPerUser: 1 } });
      const c = client();
      await c.usage({ monthDate: '2026-11-01' });
      clock += 50_000; // 10 s left: more than refreshBeforeMs, so the token is still used
      await c.usage({ monthDate: '2026-11-01' });
      clock += 6_000; // 4 s left: inside refreshBeforeMs, so the client logs in first
      await c.usage({ monthDate: '2026-11-01' });
      expect({ expiryKey, logins: c.stats.logins, renewals: c.stats.renewals }).toEqual({ expiryKey, logins: 2, renewals: 0 });
    }
  });

  it('uses a short-lived token for most of its life: logins stay at one per token life', async () => {
    await sandbox.stop();
    sandbox = await startNetcoreSandbox({ tokenTtlMs: 4_000, now, seed: { usersPerChannel: 1, messagesPerUser: 1 } });
    // The default margin (60 s) is longer than the token's life: a tenth of the life is kept back instead.
    const c = client({ refreshBeforeMs: 60_000 });
    for (let t = 0; t < 20_000; t += 100) {
      await c.usage({ monthDate: '2026-11-01' });
      clock += 100;
    }
    // 200 calls over 20 s of 4-s tokens: a login at 0, 3.6, 7.2, 10.8, 14.4 and 18 s (the floor is 5).
    expect({ logins: c.stats.logins, sandbox: sandbox.counts.login, renewals: c.stats.renewals }).toEqual({ logins: 6, sandbox: 6, renewals: 0 });
  });

  it('logs in again once when a token is refused mid-run, and carries on', async () => {
    const c = client();
    await c.users({ page: 1, limit: 25, channelIds: [1010] });
    sandbox.expireTokens();
    const page = await c.users({ page: 1, limit: 25, channelIds: [1010] });
    expect(page.users.length).toBeGreaterThan(0);
    expect(c.stats).toMatchObject({ logins: 2, renewals: 1 });
  });

  it('gives up after one renewal when the fresh token is refused too', async () => {
    const c = client();
    await c.usage({ monthDate: '2026-11-01' });
    sandbox.beforeResponse = (info) => {
      if (info.kind !== 'login') sandbox.expireTokens();
    };
    await expect(c.usage({ monthDate: '2026-11-01' })).rejects.toMatchObject({ status: 401 });
    expect(c.stats.logins).toBe(2);
  });

  it('fails at once on wrong credentials', async () => {
    const c = client({ credentials: async () => ({ appId: 'app-1', appSecret: 'wrong' }) });
    await expect(c.usage({ monthDate: '2026-11-01' })).rejects.toMatchObject({ status: 400, vendorMessages: ['Invalid appId or appSecret'] });
    expect(sandbox.counts.login).toBe(1);
  });

  it('backs off and retries on 429 and 500', async () => {
    const c = client();
    sandbox.failNext(429, 1, { retryAfterSeconds: 0 });
    sandbox.failNext(500, 2);
    const page = await c.transcripts({ page: 1, limit: 25, botUserId: 'webchat-user-1', channelId: 1010 });
    expect(page.transcripts).toHaveLength(5);
    expect(sandbox.counts.transcripts).toBe(4);
  });

  it('reads user details and answers undefined for an unknown user', async () => {
    const c = client();
    const details = await c.userDetails('+919876543212');
    expect(details?.tags).toEqual(['whatsapp']);
    expect(await c.userDetails('nobody')).toBeUndefined();
  });

  it('pages users until hasNextPage is false', async () => {
    for (let i = 0; i < 40; i++) sandbox.addUser({ userId: `extra-${i}`, channelId: 1016 });
    const c = client();
    const ids: string[] = [];
    let page = 1;
    for (;;) {
      const res = await c.users({ page, limit: 25, channelIds: [1016] });
      ids.push(...res.users.map((u) => u.userId));
      if (!res.hasNextPage) break;
      page++;
    }
    expect(page).toBe(2);
    expect(new Set(ids).size).toBe(42);
  });

  describe('documented limits, enforced as a server would', () => {
    const raw = async (path: string, body?: unknown) => {
      const login = await fetch(`${sandbox.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: 'app-1', appSecret: 'secret-1' }) });
      const { authToken } = (await login.json()) as { authToken: string };
      const res = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { authorization: authToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { message?: string } };
    };

    it('limit must be 25..1000 on both lists', async () => {
      const c = client();
      for (const limit of [24, 1001]) {
        await expect(c.transcripts({ page: 1, limit, botUserId: 'webchat-user-1', channelId: 1010 })).rejects.toBeInstanceOf(VendorError);
        await expect(c.users({ page: 1, limit, channelIds: [1010] })).rejects.toMatchObject({ status: 400 });
      }
      await expect(c.transcripts({ page: 1, limit: 1000, botUserId: 'webchat-user-1', channelId: 1010 })).resolves.toBeDefined();
    });

    it('transcripts startDate must be within 3 months', async () => {
      const c = client();
      const old = new Date(clock - 95 * 86_400_000).toISOString();
      await expect(c.transcripts({ page: 1, limit: 50, botUserId: 'webchat-user-1', channelId: 1010, startDate: old })).rejects.toMatchObject({
        status: 400,
        vendorMessages: ['startDate must not be older than 3 months from current date'],
      });
    });

    it('transcripts need botUserId and a known channelId; users need channelIds of the four', async () => {
      expect((await raw('/transcripts', { channelId: 1010 })).status).toBe(400);
      expect((await raw('/transcripts', { botUserId: 'x' })).status).toBe(400);
      expect((await raw('/transcripts', { botUserId: 'x', channelId: 1099 })).status).toBe(400);
      expect((await raw('/users', {})).status).toBe(500);
      expect((await raw('/users', { channelIds: [1011] })).status).toBe(400);
      expect((await raw('/users', { channelIds: [1010], startDate: '2026-11-01' })).status).toBe(400);
    });

    it('serves an added message exactly as it was added', async () => {
      const item = sampleMessage('productMulti', new Date(clock - 3_600_000).toISOString());
      sandbox.addMessage('webchat-user-1', 1010, item);
      const page = await client().transcripts({ page: 1, limit: 50, botUserId: 'webchat-user-1', channelId: 1010, startDate: new Date(clock - 7_200_000).toISOString() });
      expect(page.transcripts).toEqual([item]);
    });
  });
});
