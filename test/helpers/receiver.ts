import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One verified delivery. */
export interface Received {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
  readonly body: string;
}

/** A fresh Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * A subscriber on a random loopback port that checks every delivery with the `standardwebhooks`
 * library (not the hub's code) and answers what `answer` says (200 by default), given the request's
 * number and the delivery's id and type; `delayMs` holds the answer back (a slow subscriber).
 * Deliveries whose signature does not verify are counted in `rejected` and answered 401.
 */
export async function startReceiver(
  secret: string,
  answer: (n: number, delivery: { readonly id: string; readonly type: string }) => { status: number; headers?: Record<string, string>; delayMs?: number } = () => ({ status: 200 }),
) {
  const wh = new Webhook(secret);
  const received: Received[] = [];
  const answered: number[] = [];
  let rejected = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      let payload: { type: string; timestamp: string; data: Record<string, unknown> };
      try {
        payload = wh.verify(body, headers) as typeof payload;
      } catch {
        rejected++;
        res.writeHead(401).end();
        return;
      }
      const { status, headers: extra, delayMs } = answer(requests++, { id: headers['webhook-id'] ?? '', type: payload.type });
      const reply = () => {
        // An answer the client gave up on (its timeout) was not received: the hub will try again.
        if (res.destroyed || req.socket.destroyed) return;
        answered.push(status);
        if (status >= 200 && status < 300) received.push({ id: headers['webhook-id'] ?? '', type: payload.type, timestamp: payload.timestamp, data: payload.data, body });
        res.writeHead(status, extra).end();
      };
      if (delayMs) setTimeout(reply, delayMs);
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answered,
    get rejected() {
      return rejected;
    },
    /** Accepted deliveries, one per webhook-id (what a subscriber keeps after deduplicating). */
    unique(): Map<string, Received> {
      const m = new Map<string, Received>();
      for (const r of received) if (!m.has(r.id)) m.set(r.id, r);
      return m;
    },
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
