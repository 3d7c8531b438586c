import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy the fault run puts between the hub's functions and an emulator (dynalite or fauxqs,
 * both JSON-over-HTTP APIs with the operation in `X-Amz-Target`), so that the harness, not the hub,
 * makes the emulator unavailable:
 * - `reset`: every request's connection is destroyed on arrival (what a dead endpoint looks like);
 * - `stall`: requests are held unanswered, and their connections destroyed when the stall ends;
 * - `hold`: requests whose operation matches are held, the others pass (a delete that never arrives).
 * `onAnswer` sees each exchange after the emulator answered and before the hub gets the answer.
 */
export type ProxyMode = { readonly kind: 'pass' } | { readonly kind: 'reset' } | { readonly kind: 'stall' } | { readonly kind: 'hold'; readonly operations: RegExp };

/** One exchange the proxy forwarded. */
export interface Exchange {
  /** The operation (`PutItem`, `DeleteMessageBatch`, ...). */
  readonly operation: string;
  /** The request's TableName or QueueUrl, when it names one. */
  readonly resource: string;
  readonly status: number;
  /** The request's body. */
  readonly request: string;
}

export interface FaultProxy {
  readonly url: string;
  /** Points the proxy at the emulator's port (undefined: requests wait until it is set). */
  target(port: number | undefined): void;
  setMode(mode: ProxyMode): void;
  /** Requests reset, stalled or held since the last call. */
  takeHits(): number;
  /** Called after the emulator answered, before the answer is passed on; `then` runs once it was written. */
  onAnswer?: (exchange: Exchange) => { then?: () => void } | undefined;
  close(): Promise<void>;
}

const operationOf = (req: IncomingMessage): string => String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';

export async function startFaultProxy(): Promise<FaultProxy> {
  let port: number | undefined;
  let mode: ProxyMode = { kind: 'pass' };
  let hits = 0;
  let held: IncomingMessage[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const waitForTarget = async (): Promise<number | undefined> => {
    const until = Date.now() + 60_000;
    while (port === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return port;
  };
  const releaseHeld = (): void => {
    for (const r of held) r.socket.destroy();
    held = [];
  };

  const proxy: FaultProxy = {
    url: '',
    target(p) {
      port = p;
    },
    setMode(next) {
      mode = next;
      if (next.kind === 'pass' || next.kind === 'reset') releaseHeld();
    },
    takeHits() {
      const h = hits;
      hits = 0;
      return h;
    },
    async close() {
      releaseHeld();
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const operation = operationOf(req);
    if (mode.kind === 'reset') {
      hits++;
      req.socket.destroy();
      return;
    }
    if (mode.kind === 'stall' || (mode.kind === 'hold' && mode.operations.test(operation))) {
      hits++;
      held.push(req);
      return;
    }
    const to = await waitForTarget();
    if (to === undefined) {
      req.socket.destroy();
      return;
    }
    let resource = '';
    try {
      const input = JSON.parse(body.toString('utf8')) as { TableName?: unknown; QueueUrl?: unknown };
      resource = String(input.TableName ?? input.QueueUrl ?? '');
    } catch {
      // Not JSON: no resource named.
    }
    const upstream = request({ host: '127.0.0.1', port: to, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      const out: Buffer[] = [];
      answer.on('data', (c: Buffer) => out.push(c));
      answer.on('end', () => {
        const after = proxy.onAnswer?.({ operation, resource, status: answer.statusCode ?? 0, request: body.toString('utf8') });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(out), () => after?.then?.());
      });
      answer.on('error', () => req.socket.destroy());
    });
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  };
  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(proxy, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}
