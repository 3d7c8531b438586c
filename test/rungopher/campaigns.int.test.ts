import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS, expectAnswer, headerText, pathSegment, queryString, requestBody, send, text } from '#test/helpers/fuzz.ts';
import type { RungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';
import { eventually, startTestHub } from '#test/helpers/hub.ts';
import { expectDocumented } from '#test/helpers/openapi.ts';

/**
 * Rungopher campaign work through the hub, against the Rungopher sandbox: the operator never holds the
 * vendor's key. Contact uploads are jobs whose journal (one claim per contact in DynamoDB) lets no two
 * uploads start the same contact.
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let sandbox: RungopherSandbox;

beforeAll(async () => {
  hub = await startTestHub();
  sandbox = hub.sandboxes.rungopher as RungopherSandbox;
});
afterAll(async () => {
  await hub?.cleanup();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // Every answer is what the OpenAPI document says this route answers.
  await expectDocumented({ method, path, status: res.status, contentType: res.headers.get('content-type'), body: text || undefined });
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

async function newCampaign(): Promise<string> {
  const r = await call('POST', '/rungopher/campaigns', { name: 'AcceptDecline', title: 'hub test', transitionEmail: 'ops@example.com' });
  expect(r.status).toBe(201);
  return String(r.body.id);
}

const csvOf = (n: number, from = 0): string =>
  ['contactId,First Name,Surname,Mobile Number', ...Array.from({ length: n }, (_, i) => `c${from + i},Ann,Lee,0412 ${String(300_000 + from + i).padStart(6, '0')}`)].join('\n') + '\n';

interface Job {
  jobId: string;
  state: string;
  progress: { started: number; alreadyStarted: number; unknownHeld: number; sent: number; batchesDone: number; batches: number };
  batches: { batch: number; state: string; size: number; sent: number; started: number; alreadyStarted: number; firstLine: number; lastLine: number }[];
}

async function finished(jobId: string): Promise<Job> {
  return eventually(async () => {
    const r = await call('GET', `/rungopher/uploads/${jobId}`);
    const job = r.body as unknown as Job;
    return job.state === 'done' || job.state === 'failed' ? job : undefined;
  }, { timeoutMs: 30_000 });
}

describe('templates and campaigns through the hub', () => {
  it('lists templates and campaigns as {items, nextCursor}, pages them, and never needs the key from the caller', async () => {
    const t = await call('GET', '/rungopher/templates?limit=1');
    expect(t.status).toBe(200);
    expect((t.body.items as unknown[]).length).toBe(1);
    expect(typeof t.body.nextCursor).toBe('string');
    const rest = await call('GET', `/rungopher/templates?limit=1000&cursor=${String(t.body.nextCursor)}`);
    expect(rest.status).toBe(200);
    expect(rest.body.nextCursor).toBeNull();
    expect((rest.body.items as { name: string }[]).map((x) => x.name)).not.toContain((t.body.items as { name: string }[])[0]?.name);
    const id = await newCampaign();
    const list = await call('GET', '/rungopher/campaigns?limit=1000');
    expect((list.body.items as { id: string }[]).map((c) => c.id)).toContain(id);
    expect(sandbox.calls.some((c) => c.path === 'campaign' && c.method === 'POST')).toBe(true);
  });

  it('gets a campaign with segments per SMS content; edits it; refuses bad edits before the vendor; 404 for an unknown one', async () => {
    const id = await newCampaign();
    const got = await call('GET', `/rungopher/campaigns/${id}`);
    expect(got.status).toBe(200);
    const sms = got.body.smsContent as { name: string; segments: { vendorSegments: number } }[];
    expect(sms.length).toBeGreaterThan(0);
    expect(sms[0]?.segments.vendorSegments).toBeGreaterThanOrEqual(1);
    const edited = await call('PUT', `/rungopher/campaigns/${id}`, { transitionEmail: 'new@example.com' });
    expect(edited.status).toBe(200);
    expect(edited.body.transitionEmail).toBe('new@example.com');
    const before = sandbox.calls.length;
    const bad = await call('PUT', `/rungopher/campaigns/${id}`, { smsContent: [{ name: sms[0]?.name ?? 'x', content: '' }] });
    expect(bad.status).toBe(400);
    expect(sandbox.calls.length).toBe(before);
    expect((await call('GET', '/rungopher/campaigns/99999999')).status).toBe(404);
    expect((await call('GET', '/rungopher/campaigns/abc')).status).toBe(400);
  });

  it('estimates the cost of a CSV and updates a journey contact by any form of its mobile', async () => {
    const id = await newCampaign();
    const est = await call('POST', `/rungopher/campaigns/${id}/estimate`, { csv: csvOf(3) });
    expect(est.status).toBe(200);
    expect((est.body.validation as { valid: number }).valid).toBe(3);
    expect((est.body.estimate as { contacts: number }).contacts).toBe(3);
    const up = await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(1, 900) });
    await finished(String(up.body.jobId));
    const j = await call('PUT', `/rungopher/journeys/${id}/contacts/${encodeURIComponent('0412 300900')}`, { fields: { firstName: 'Annie' } });
    expect(j.status).toBe(200);
    expect(j.body.mobile).toBe('61412300900');
    expect(sandbox.contactsOf(Number(id)).find((c) => c.contactId === 'c900')?.firstName).toBe('Annie');
    expect((await call('PUT', `/rungopher/journeys/${id}/contacts/123`, { fields: { firstName: 'x' } })).status).toBe(400);
  });
});

describe('contact upload jobs', () => {
  it('answers 202 with a job id, runs the batches, and shows each batch outcome', async () => {
    const id = await newCampaign();
    const r = await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(5), batchSize: 2, file: 'five.csv' }, { 'x-operator': 'ann' });
    expect(r.status).toBe(202);
    expect(r.body.jobId).toMatch(/^rgu_/);
    expect(r.headers.get('location')).toBe(`/rungopher/uploads/${String(r.body.jobId)}`);
    const job = await finished(String(r.body.jobId));
    expect(job.state).toBe('done');
    expect(job.batches.map((b) => [b.batch, b.state, b.size, b.started, b.firstLine, b.lastLine])).toEqual([
      [1, 'started', 2, 2, 2, 3],
      [2, 'started', 2, 2, 4, 5],
      [3, 'started', 1, 1, 6, 6],
    ]);
    expect(job.progress.started).toBe(5);
    expect(sandbox.contactsOf(Number(id))).toHaveLength(5);
    expect((job as unknown as { operator: string }).operator).toBe('ann');
  });

  it('refuses a CSV with invalid rows unless skipInvalid, naming each line; nothing is sent', async () => {
    const id = await newCampaign();
    const csv = csvOf(2) + 'c9,Bob,,0298765432\n';
    const r = await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('line 4');
    expect(sandbox.contactsOf(Number(id))).toHaveLength(0);
    const ok = await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv, skipInvalid: true });
    expect(ok.status).toBe(202);
    expect((await finished(String(ok.body.jobId))).progress.started).toBe(2);
  });

  it('a second upload of the same file starts nobody again', async () => {
    const id = await newCampaign();
    const first = await finished(String((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(4) })).body.jobId));
    expect(first.progress.started).toBe(4);
    const again = await finished(String((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(6) })).body.jobId));
    expect(again.state).toBe('done');
    expect(again.progress).toMatchObject({ started: 2, alreadyStarted: 4, sent: 2 });
    expect(sandbox.contactsOf(Number(id))).toHaveLength(6);
  });

  it('two operators uploading the same file at the same moment start each contact once', async () => {
    const id = await newCampaign();
    const csv = csvOf(60);
    const posted = await Promise.all(['ann', 'bob', 'cat'].map((op) => call('POST', `/rungopher/campaigns/${id}/uploads`, { csv, batchSize: 7, mode: 'test' }, { 'x-operator': op })));
    expect(posted.map((p) => p.status)).toEqual([202, 202, 202]);
    const jobs = await Promise.all(posted.map((p) => finished(String(p.body.jobId))));
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done', 'done']);
    // Test mode lets the vendor take the same mobile twice, so only the hub's journal stands between
    // the three uploads and a contact started two or three times.
    const started = sandbox.contactsOf(Number(id)).map((c) => c.contactId);
    expect(started).toHaveLength(60);
    expect(new Set(started).size).toBe(60);
    expect(jobs.reduce((n, j) => n + j.progress.started, 0)).toBe(60);
    expect(jobs.reduce((n, j) => n + j.progress.alreadyStarted, 0)).toBe(120);
  });

  it('a batch the vendor refuses is failed, its contacts freed for a later upload, the rest not sent', async () => {
    const id = await newCampaign();
    await fetch(`${new URL(sandbox.url).origin}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 400, times: 1, path: `campaign/${id}/contact` }) });
    const job = await finished(String((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(4), batchSize: 2 })).body.jobId));
    expect(job.state).toBe('failed');
    expect(job.batches.map((b) => b.state)).toEqual(['failed', 'not-sent']);
    const retry = await finished(String((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(4), batchSize: 2 })).body.jobId));
    expect(retry.state).toBe('done');
    expect(retry.progress.started).toBe(4);
  });

  it('a batch whose outcome is unknown (vendor 500) is held back from a re-upload unless resendUnknown', async () => {
    const id = await newCampaign();
    await fetch(`${new URL(sandbox.url).origin}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 500, times: 1, path: `campaign/${id}/contact` }) });
    const job = await finished(String((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(3) })).body.jobId));
    expect(job.batches.map((b) => b.state)).toEqual(['unknown']);
    const held = await finished(String((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(3) })).body.jobId));
    expect(held.progress).toMatchObject({ started: 0, unknownHeld: 3 });
    const resent = await finished(String((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(3), resendUnknown: true })).body.jobId));
    expect(resent.progress.started).toBe(3);
  });

  it('404 for an unknown job, 400 for a body that is not an upload', async () => {
    expect((await call('GET', '/rungopher/uploads/rgu_00000000000000000000000000000000')).status).toBe(404);
    expect((await call('GET', '/rungopher/uploads/nope')).status).toBe(404);
    const id = await newCampaign();
    expect((await call('POST', `/rungopher/campaigns/${id}/uploads`, 'not json')).status).toBe(400);
    expect((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: 'x', batchSize: 0 })).status).toBe(400);
    expect((await call('POST', `/rungopher/campaigns/${id}/uploads`, { csv: csvOf(1) }, { 'x-operator': 'é'.repeat(3) })).status).toBe(400);
  });
});

describe('campaign routes under arbitrary input', () => {
  const auth = () => ({ authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}`, 'content-type': 'application/json' });
  const uploadBody = fc.oneof(
    requestBody,
    fc
      .record(
        {
          csv: fc.oneof(text, fc.constant(csvOf(2)), fc.array(text, { maxLength: 5 }).map((rows) => ['contactId,firstName,lastName,mobile', ...rows].join('\n'))),
          mode: fc.oneof(fc.constantFrom('live', 'test'), text),
          country: fc.oneof(fc.constantFrom('AU', 'nz', 'XX'), text),
          map: fc.dictionary(text, fc.oneof(fc.constantFrom('mobile', 'contactId'), text), { maxKeys: 3 }),
          skipInvalid: fc.oneof(fc.boolean(), text),
          batchSize: fc.oneof(fc.integer({ min: -5, max: 40_000 }), text),
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  );

  it('never answers 5xx, whatever the path, query, header or body', async () => {
    const id = await newCampaign();
    const seg = fc.oneof(fc.constant(id), pathSegment);
    await fc.assert(
      fc.asyncProperty(seg, seg, pathSegment, queryString(['limit', 'cursor']), uploadBody, headerText, async (campaignId, other, mobile, qs, body, operator) => {
        const headers: Record<string, string> = { ...auth(), ...(operator !== undefined ? { 'x-operator': operator } : {}) };
        const b = body === undefined ? {} : { body };
        for (const [method, path, withBody] of [
          ['GET', `/rungopher/templates?${qs}`, false],
          ['GET', `/rungopher/campaigns?${qs}`, false],
          ['GET', `/rungopher/campaigns/${campaignId}`, false],
          ['PUT', `/rungopher/campaigns/${campaignId}`, true],
          ['POST', `/rungopher/campaigns`, true],
          ['POST', `/rungopher/campaigns/${campaignId}/estimate`, true],
          ['POST', `/rungopher/campaigns/${campaignId}/uploads`, true],
          ['GET', `/rungopher/uploads/${other}`, false],
          ['PUT', `/rungopher/journeys/${campaignId}/contacts/${mobile}`, true],
        ] as const) {
          expectAnswer(await send(hub.url, method, path, { headers, ...(withBody ? b : {}) }));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
