import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';

const dir = await mkdtemp(join(tmpdir(), 'switchboard-rg-state-'));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('Rungopher sandbox state file', () => {
  it('resends after a restart the results its webhook had not answered 200, and keeps the others delivered', async () => {
    let answer = 503;
    const received: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(String((JSON.parse(body) as { id: unknown }).id));
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const webhookUrl = () => `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
    const stateFile = join(dir, 'sandboxes', 'rungopher.json');
    try {
      const first = await startRungopherSandbox({ stateFile, webhookUrl, resendMs: 60_000 });
      answer = 200;
      first.addResults([{ id: 'delivered-1', resultName: 'accepted', timestamp: '2026-11-30T10:00:00+00:00' }]);
      await first.deliveriesSettled();
      answer = 503;
      first.addResults([{ id: 'undelivered-1', resultName: 'accepted', timestamp: '2026-11-30T10:01:00+00:00' }]);
      const until = Date.now() + 5000;
      while (!received.includes('undelivered-1') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await first.stop();
      expect(received).toEqual(['delivered-1', 'undelivered-1']);

      answer = 200;
      const second = await startRungopherSandbox({ stateFile, webhookUrl, resendMs: 50 });
      try {
        await second.deliveriesSettled();
        expect(received).toEqual(['delivered-1', 'undelivered-1', 'undelivered-1']);
        // Both results are still there to poll.
        const res = await fetch(`${second.url}/results/accepted`, { headers: { apikey: 'k' } });
        expect(((await res.json()) as { id: string }[]).map((r) => r.id)).toEqual(['delivered-1', 'undelivered-1']);
      } finally {
        await second.stop();
      }
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });
});
