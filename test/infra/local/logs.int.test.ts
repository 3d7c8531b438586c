import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually, startTestHub } from '#test/helpers/hub.ts';
import { makeResult } from '#test/rungopher/samples.ts';

/**
 * What `npm start` shows: one line per log event and one per gateway request, no JSON, and no token
 * or phone number in a request line. The hub's logger is made when the functions load, after the
 * local runtime has set SWITCHBOARD_LOG_FORMAT, as under `npm start`.
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
const hubLines: string[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  const keep = (chunk: unknown) => {
    consoleLines.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, m).mockImplementation(keep);
  hub = await startTestHub({ env: { POWERTOOLS_LOG_LEVEL: 'INFO' }, log: (l) => hubLines.push(l) });
});
afterAll(async () => {
  await hub?.cleanup();
  vi.restoreAllMocks();
});

describe('local logs', () => {
  it('print one line per event and per request, never JSON, with path values masked', async () => {
    const token = hub.env.RUNGOPHER_WEBHOOK_TOKEN ?? '';
    const result = makeResult({ id: 424242 });
    expect((await fetch(`${hub.url}/webhooks/rungopher/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) })).status).toBe(200);
    const phone = '+919876543213';
    const user = await fetch(`${hub.url}/netcore/users/${encodeURIComponent(phone)}?limit=1`, { headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } });
    expect(user.status).toBe(404);
    // Each invocation has its own invoke-store context: the processor's line names the processor.
    await eventually(async () => (consoleLines.some((l) => /^\S+Z INFO {2}rungopher-processor Result stored .*resultId=424242( |$)/.test(l)) ? true : undefined)).catch((err: unknown) => {
      throw new Error(`${String(err)}; printed: ${consoleLines.slice(0, 8).join(' | ').slice(0, 1500)}`);
    });

    expect(hubLines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\S+Z HTTP {2}POST \/webhooks\/rungopher\/\{token\} 200 \d+ ms$/),
        expect.stringMatching(/^\S+Z HTTP {2}GET \/netcore\/users\/\{botUserId\}\?limit 404 \d+ ms$/),
      ]),
    );
    for (const l of hubLines) {
      expect(l).not.toContain(token);
      expect(l).not.toContain('919876543213');
    }
    expect(consoleLines).toEqual(expect.arrayContaining([expect.stringMatching(/^\S+Z INFO {2}rungopher-webhook Webhook queued .*messageId=/)]));
    for (const l of [...consoleLines, ...hubLines]) expect({ line: l, json: l.trimStart().startsWith('{') || l.trimStart().startsWith('"') }).toEqual({ line: l, json: false });
  });
});

describe('one log context per invocation', () => {
  it('concurrent invocations of different functions each log their own function name and keys (invoke)', async () => {
    const { invoke } = await import('#infra/local/invoke.ts');
    const { sqsHandler } = await import('#platform/queue-consumer.ts');
    const { logger } = await import('#platform/observability.ts');
    const gates: { open?: () => void } = {};
    const opened = new Promise<void>((r) => (gates.open = r));
    // A waits inside its record until B has started and logged; on one shared logger A's line would
    // then carry B's function name and message id.
    const slow = sqsHandler(async (record) => {
      await opened;
      logger.info('context probe', { probe: record.body });
    });
    const fast = sqsHandler(async (record) => {
      logger.info('context probe', { probe: record.body });
      gates.open?.();
    });
    const record = (id: string, body: string) => ({ messageId: id, receiptHandle: id, body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:0:q', awsRegion: 'us-east-1' });
    const decl = { entry: 'x', trigger: { kind: 'queue', queue: 'rungopher-results', batchSize: 1, maxConcurrency: 1 }, timeoutSeconds: 10 } as never;
    const a = invoke('probe-slow', decl, slow as never, { Records: [record('msg-slow', 'slow')] });
    await new Promise((r) => setTimeout(r, 20));
    await invoke('probe-fast', decl, fast as never, { Records: [record('msg-fast', 'fast')] });
    await a;
    const probes = consoleLines.filter((l) => l.includes('context probe'));
    expect(probes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ probe-slow context probe .*messageId=msg-slow.*probe=slow/),
        expect.stringMatching(/ probe-fast context probe .*messageId=msg-fast.*probe=fast/),
      ]),
    );
    expect(probes.filter((l) => / probe-slow .*msg-fast| probe-fast .*msg-slow|probe-slow .*probe=fast|probe-fast .*probe=slow/.test(l))).toEqual([]);
  });
});
