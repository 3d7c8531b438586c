import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rungopherSandbox, startRungopherSandbox, type RungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';
import { sandboxes } from '#infra/local/sandboxes/index.ts';
import { sampleResult } from './env.ts';

describe('sandbox webhook delivery', () => {
  it('resends a result until it gets exactly 200 (500, 202 and 204 mean try again), then stops', async () => {
    const answers = [500, 202, 204, 200];
    const received: string[] = [];
    const hub = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(`${req.url} ${Buffer.concat(chunks).toString('utf8')}`);
        res.writeHead(answers.shift() ?? 200);
        res.end();
      });
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/webhooks/rungopher/tok`;
    const sandbox = await startRungopherSandbox({ webhookUrl: () => url, resendMs: 10, seed: false });
    try {
      const result = sampleResult();
      sandbox.addResults([result]);
      await sandbox.deliveriesSettled();
      expect(sandbox.deliveries.map((d) => d.status)).toEqual([500, 202, 204, 200]);
      expect(received).toHaveLength(4);
      expect(received.every((r) => r === `/webhooks/rungopher/tok ${JSON.stringify(result)}`)).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(4); // nothing after the 200
    } finally {
      await sandbox.stop();
      await new Promise<void>((r) => hub.close(() => r()));
    }
  });

  it('is registered for RUNGOPHER_BASE_URL; with no key configured it gives the hub one and accepts any non-empty key', async () => {
    expect(sandboxes).toContain(rungopherSandbox);
    expect(rungopherSandbox.baseUrlEnv).toBe('RUNGOPHER_BASE_URL');
    const env: Record<string, string> = {};
    const sb = await rungopherSandbox.start({ port: 0, hubUrl: () => 'http://127.0.0.1:1', env });
    try {
      expect(env.RUNGOPHER_API_KEY).toMatch(/^sandbox-/);
      expect((await fetch(`${sb.url}/template`, { headers: { ApiKey: 'anything' } })).status).toBe(200);
      expect((await fetch(`${sb.url}/template`)).status).toBe(401);
    } finally {
      await sb.stop();
    }
  });

  it('test hooks over HTTP: add results and inject faults', async () => {
    const sandbox = await startRungopherSandbox({ apiKey: 'k', seed: false });
    try {
      const add = await fetch(sandbox.url.replace('/api/v1', '/_sandbox/results?deliver=false'), { method: 'POST', body: JSON.stringify([{ resultName: 'accepted', timestamp: '2020-01-01T00:00:00Z' }]) });
      expect(await add.json()).toEqual({ added: 1 });
      await fetch(sandbox.url.replace('/api/v1', '/_sandbox/faults'), { method: 'POST', body: JSON.stringify({ status: 503, times: 1 }) });
      const first = await fetch(`${sandbox.url}/results/accepted`, { headers: { ApiKey: 'k' } });
      const second = await fetch(`${sandbox.url}/results/accepted`, { headers: { ApiKey: 'k' } });
      expect([first.status, second.status]).toEqual([503, 200]);
      expect(((await second.json()) as unknown[]).length).toBe(1);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('on the local hub', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the sandbox delivers to the hub webhook, the scheduled poller fills the gap, each result stored once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-rungopher-'));
    const { startHub } = await import('#infra/local/hub.ts');
    const env: Record<string, string | undefined> = { ...process.env, RUNGOPHER_SANDBOX_RESEND_SECONDS: '1', POWERTOOLS_LOG_LEVEL: 'WARN' };
    delete env.RUNGOPHER_BASE_URL;
    delete env.RUNGOPHER_API_KEY;
    const hub = await startHub({ port: 0, dataDir: dir, env, timers: false, log: () => undefined });
    try {
      const sandbox = hub.sandboxes.rungopher as RungopherSandbox | undefined;
      if (!sandbox) throw new Error('rungopher sandbox not started');
      expect(hub.env.RUNGOPHER_BASE_URL).toBe(sandbox.url);
      // The hub generated an API key (kept in the data folder); the sandbox takes that key only.
      const key = hub.env.RUNGOPHER_API_KEY ?? '';
      expect(key).not.toBe('');
      expect((await fetch(`${sandbox.url}/template`, { headers: { ApiKey: key } })).status).toBe(200);
      expect((await fetch(`${sandbox.url}/template`, { headers: { ApiKey: 'anything' } })).status).toBe(401);
      const byWebhook = sampleResult({ campaignId: 77, contactId: 'c1', timestamp: '2024-05-01T10:00:00Z' });
      const missed = sampleResult({ campaignId: 77, contactId: 'c2', timestamp: '2024-05-01T10:00:00Z' });
      sandbox.addResults([byWebhook]);
      sandbox.addResults([missed], { deliver: false }); // the webhook never came: the poller's job
      await sandbox.deliveriesSettled();
      expect(sandbox.deliveries.at(-1)?.status).toBe(200);

      const token = hub.env.HUB_OPERATOR_TOKEN ?? '';
      const stored = async (): Promise<{ id: string; source: string }[]> => {
        const res = await fetch(`${hub.url}/rungopher/results?campaignId=77`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { items: { id: string; source?: string }[] };
        return body.items.map((i) => ({ id: String(i.id), source: String(i.source ?? '') }));
      };
      // The processor consumes the webhook's message asynchronously.
      for (let i = 0; i < 100 && (await stored()).length < 1; i++) await new Promise((r) => setTimeout(r, 100));

      const outcome = await hub.runSchedule('rungopher-poller');
      expect(outcome.ok, outcome.error).toBe(true);
      const result = outcome.result as { stored: number; duplicates: number };
      expect(result).toMatchObject({ stored: 1, duplicates: 1 });
      const again = await hub.runSchedule('rungopher-poller');
      expect(again.result).toMatchObject({ stored: 0 });
      const ids = (await stored()).map((s) => s.id).sort();
      expect(ids).toEqual([String(byWebhook.id), String(missed.id)].sort());
    } finally {
      await hub.stop();
    }
  });
});
