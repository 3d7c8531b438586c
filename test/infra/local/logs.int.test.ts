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
    // Every function shares the hub's process and its one logger, so the function a queue consumer's
    // line names is not yet its own (see the README); its shape and ids are held here.
    await eventually(async () => (consoleLines.some((l) => /^\S+Z INFO {2}\S+ Result stored resultId=424242 /.test(l)) ? true : undefined)).catch((err: unknown) => {
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
