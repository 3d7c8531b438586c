import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { dynamo } from '#platform/aws.ts';
import { UnauthorizedError } from '#platform/errors.ts';
import type { HttpEvent } from '#platform/http.ts';
import type { QuarantineEntry } from '#platform/quarantine.ts';
import type { QueueEnvelope } from '#platform/envelope.ts';
import { webhookHandler, type WebhookSpec } from '#platform/webhook.ts';

/**
 * The kit's order, with in-memory ports: authenticate -> size -> read or quarantine -> storable or
 * quarantine -> enqueue -> 200; nothing is queued before the checks, and a failed enqueue is a 5xx.
 */
function world(overrides: Partial<WebhookSpec> = {}, queueFails = false) {
  const queued: QueueEnvelope[] = [];
  const kept: QuarantineEntry[] = [];
  const spec: WebhookSpec = {
    vendor: 'acme',
    authenticate: ({ event }) => {
      if (event.headers?.['x-key'] !== 'right') throw new UnauthorizedError('wrong key');
    },
    parse: (text) => (text.startsWith('{') ? { ok: true, ids: { id: 'a1' } } : { ok: false, reason: 'not an object' }),
    queue: 'acme-events',
    metrics: { accepted: 'AcmeAccepted', quarantined: 'AcmeQuarantined' },
    maxBodyBytes: 64,
    ...overrides,
  };
  const handler = webhookHandler(spec, () => ({
    queue: {
      send: async (m) => {
        if (queueFails) throw new Error('SQS unavailable');
        queued.push(m);
        return `m${queued.length}`;
      },
    },
    quarantine: {
      put: async (e) => {
        kept.push(e);
        return { id: `q${kept.length}`, created: true };
      },
    },
  }));
  const context = { getRemainingTimeInMillis: () => 10_000, functionName: 'acme-webhook', awsRequestId: 'r' } as unknown as Context;
  const call = async (body: string | Buffer, key = 'right') => {
    const event = {
      version: '2.0',
      routeKey: 'POST /webhooks/acme',
      rawPath: '/webhooks/acme',
      headers: { 'x-key': key },
      requestContext: { requestId: 'req-1', timeEpoch: Date.now() },
      body: Buffer.isBuffer(body) ? body.toString('base64') : body,
      isBase64Encoded: Buffer.isBuffer(body),
    } as unknown as HttpEvent;
    const res = (await handler(event, context)) as { statusCode: number; body: string };
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  return { call, queued, kept };
}

describe('webhookHandler', () => {
  it('queues a readable, storable body and answers 200 with the vendor ids', async () => {
    const w = world();
    expect(await w.call('{"a":1}')).toEqual({ status: 200, body: { status: 'queued', id: 'a1' } });
    expect(w.queued).toEqual([expect.objectContaining({ vendor: 'acme', requestId: 'req-1', body: '{"a":1}', source: 'webhook' })]);
    expect(w.kept).toEqual([]);
  });

  it('refuses a wrong caller before reading anything: 401, nothing queued or kept', async () => {
    const w = world();
    expect((await w.call('{"a":1}', 'wrong')).status).toBe(401);
    expect(w.queued).toEqual([]);
    expect(w.kept).toEqual([]);
  });

  it('keeps an oversized authentic body truncated in quarantine and answers 413', async () => {
    const w = world();
    expect((await w.call(`{"a":"${'x'.repeat(100)}"}`)).status).toBe(413);
    expect(w.queued).toEqual([]);
    expect(w.kept).toEqual([expect.objectContaining({ vendor: 'acme', stage: 'webhook', reason: expect.stringMatching(/over the 64-byte limit/) })]);
  });

  it('quarantines what does not read, is not UTF-8, or cannot be stored (even when the check throws), and answers 200', async () => {
    const w = world({ storable: (text) => (text.includes('deep') ? 'nested deeper than 32 levels' : text.includes('boom') ? (() => { throw new Error('boom'); })() : undefined) });
    expect((await w.call('plain text')).body).toMatchObject({ status: 'quarantined' });
    expect((await w.call(Buffer.from([0x7b, 0xff, 0x7d]))).body).toMatchObject({ status: 'quarantined' });
    expect((await w.call('{"deep":1}')).body).toMatchObject({ status: 'quarantined' });
    expect((await w.call('{"boom":1}')).status).toBe(200);
    expect(w.queued).toEqual([]);
    expect(w.kept.map((k) => k.reason)).toEqual([
      'not an object',
      expect.stringMatching(/UTF-8/),
      'cannot be stored: nested deeper than 32 levels',
      expect.stringMatching(/^cannot be stored/),
    ]);
  });

  it("hands the parser's value to the storability check, so the body is read once", async () => {
    let reads = 0;
    const seen: unknown[] = [];
    const w = world({
      parse: (text) => {
        reads++;
        const value = JSON.parse(text) as { size: number };
        return { ok: true, ids: { id: 'a1' }, value };
      },
      storable: (_text, value) => {
        seen.push(value);
        return (value as { size: number }).size > 9 ? 'too big' : undefined;
      },
    });
    expect((await w.call('{"size":1}')).body).toMatchObject({ status: 'queued' });
    expect((await w.call('{"size":10}')).body).toMatchObject({ status: 'quarantined' });
    expect(seen).toEqual([{ size: 1 }, { size: 10 }]);
    expect(reads).toBe(2);
    expect(w.kept.map((k) => k.reason)).toEqual(['cannot be stored: too big']);
  });

  it('answers 5xx when the body cannot be queued, so the vendor resends', async () => {
    const w = world({}, true);
    expect((await w.call('{"a":1}')).status).toBeGreaterThanOrEqual(500);
  });

  it("records the vendor's last accepted webhook for GET /status only once SQS took it", async () => {
    // The run record's write is the SDK transport, stubbed: what is asserted is whether it is made.
    const send = vi.spyOn(dynamo, 'send').mockResolvedValue({} as never);
    vi.stubEnv('TABLE_RUNS', 'runs');
    try {
      const failing = world({ vendor: 'acme-outage' }, true);
      expect((await failing.call('{"a":1}')).status).toBeGreaterThanOrEqual(500);
      expect((await failing.call('{"a":2}')).status).toBeGreaterThanOrEqual(500);
      expect(send).not.toHaveBeenCalled();
      const working = world({ vendor: 'acme-outage' });
      expect((await working.call('{"a":3}')).status).toBe(200);
      expect(send).toHaveBeenCalledTimes(1);
      expect(send.mock.calls[0]?.[0]?.input).toMatchObject({ TableName: 'runs', Item: { name: 'webhook#acme-outage', kind: 'webhook' } });
    } finally {
      send.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
