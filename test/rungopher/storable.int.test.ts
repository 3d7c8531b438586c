import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';
import { hubClients } from '#test/helpers/aws.ts';
import { SLOT_CLASSES } from '#rungopher/domain/contact-view.ts';
import { makeResult } from './samples.ts';

/**
 * Whatever the Rungopher webhook answers 200 is stored or quarantined, never left to fail into the
 * DLQ: bodies that pass the schema but that DynamoDB could not store as the hub used to write them.
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let clients: ReturnType<typeof hubClients>;

beforeAll(async () => {
  // Updates of one large contact item are slow on dynalite: a visibility timeout longer than a batch
  // takes, so that no message is received again (and counted towards the DLQ) while it is processed.
  hub = await startTestHub({ visibilityTimeoutSeconds: 30 });
  clients = hubClients(hub);
});
afterAll(async () => {
  await hub?.cleanup();
});

const post = async (body: string) => {
  const res = await fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: (await res.json()) as { status?: string; resultId?: string; quarantineId?: string } };
};
const drained = async (timeoutMs = 25_000) => {
  await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined), { timeoutMs });
};
const stored = async (id: string) => (await clients.scan('rungopher-results')).find((r) => r.id === id);
const nest = (levels: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

let nextId = 900_000;

/** What each documented type requires in `data`, so that most generated bodies pass the schema. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  boolean: { answer: 'yes' },
  email: { email: 'someone@example.com' },
  phone: { phone: '+61400000000' },
  address: {},
  linkClicked: { link: 'https://l.example/x', count: '2' },
  sms: { kind: 'inbound_sms', content: 'hello' },
  mystery: {},
};

describe('Rungopher results that pass the schema are stored or quarantined, never left to the DLQ', () => {
  it('stores a valid 210 KB result once: the row keeps the raw body once, the API answers as before', async () => {
    const context = 'x'.repeat(210 * 1024);
    const id = nextId++;
    const raw = JSON.stringify(makeResult({ id, contactId: 'big', resultType: 'email', resultName: 'newEmail', data: { email: 'big@example.com' }, context }));
    expect(await post(raw)).toEqual({ status: 200, body: { status: 'queued', resultId: String(id) } });
    await drained();
    expect(await hub.queueDepth('rungopher-results', 'dlq')).toBe(0);
    const row = await stored(String(id));
    expect(row?.raw).toBe(raw);
    expect(row).not.toHaveProperty('result');
    const listed = (await operatorGet(hub, '/rungopher/results?campaignId=15&contactId=big')).body as { items: { result: { context: string; id: string } }[] };
    expect(listed.items[0]?.result).toMatchObject({ id: String(id), context });
    // The view keeps what it shows (the e-mail), with the long context cut and marked.
    const view = (await operatorGet(hub, '/rungopher/campaigns/15/contacts/big')).body as { email: string; results: Record<string, { truncated?: boolean; context: string }> };
    expect(view.email).toBe('big@example.com');
    expect(view.results.newEmail).toMatchObject({ truncated: true, context: 'x'.repeat(256) });
  });

  it('quarantines a result whose data is nested 10,000 deep, with the reason, and answers 200', async () => {
    const id = nextId++;
    // Built as text: JSON.stringify itself overflows the stack on 10,000 levels.
    const raw = JSON.stringify(makeResult({ id, resultType: 'survey', resultName: 'deep', data: { q: 'DEEP' } })).replace('"DEEP"', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    const res = await post(raw);
    expect(res).toMatchObject({ status: 200, body: { status: 'quarantined' } });
    const kept = (await clients.scan('quarantine')).find((q) => q.id === res.body.quarantineId);
    expect(kept?.reason).toMatch(/cannot be stored: the result is nested deeper than DynamoDB's 32 levels/);
    await drained();
    expect(await stored(String(id))).toBeUndefined();
    expect(await hub.queueDepth('rungopher-results', 'dlq')).toBe(0);
  });

  it('stores a result whose data holds what the marshaller refuses (a number past 2^53, an empty key, 30 levels), its view keeping them as text', async () => {
    const id = nextId++;
    const raw = `{"id":${id},"campaignId":15,"contactId":"odd","resultType":"survey","resultName":"odd","data":{"n":12345678901234567890,"e":{"":{"x":1}},"deep":${JSON.stringify(nest(29))}},"timestamp":"2017-11-14T10:56:14Z"}`;
    expect(await post(raw)).toMatchObject({ status: 200, body: { status: 'queued' } });
    await drained();
    expect((await stored(String(id)))?.raw).toBe(raw);
    expect(await hub.queueDepth('rungopher-results', 'dlq')).toBe(0);
    const view = (await operatorGet(hub, '/rungopher/campaigns/15/contacts/odd')).body as { results: Record<string, { data: Record<string, unknown> }> };
    expect(view.results.odd?.data).toMatchObject({ n: '12345678901234567000', e: '{"":{"x":1}}' });
    expect(JSON.stringify(view.results.odd?.data.deep)).toMatch(/leaf/);
  });

  it('keeps a contact view with many long links under 400 KB: every result stored, the slots past the budget dropped and counted', async () => {
    // 90 links of 4,000 characters: the old view (each link in its slot's name and again in its value)
    // passed 400 KB after about 48 of them.
    const bodies = Array.from({ length: 90 }, (_, i) =>
      JSON.stringify(makeResult({ id: nextId++, contactId: 'clicker', resultType: 'linkClicked', resultName: 'linkClicked', data: { link: `https://l.example/${i}/${'p'.repeat(3980)}`, count: '1' } })),
    );
    for (let i = 0; i < bodies.length; i += 20) {
      const answers = await Promise.all(bodies.slice(i, i + 20).map(post));
      expect(answers.map((a) => a.body.status)).toEqual(answers.map(() => 'queued'));
    }
    // Every update rewrites one large item: dynalite takes its time.
    await drained(50_000);
    expect(await hub.queueDepth('rungopher-results', 'dlq')).toBe(0);
    const rows = (await clients.scan('rungopher-results')).filter((r) => r.contactId === 'clicker');
    expect(rows).toHaveLength(bodies.length);
    const item = (await clients.scan('rungopher-contacts')).find((c) => c.contactId === 'clicker') as Record<string, unknown>;
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(400 * 1024);
    const links = Object.keys(item).filter((k) => k.startsWith('l:'));
    // Links of 4 KB are the long-link class: its cap is what the item keeps of them.
    expect(links.length).toBe(SLOT_CLASSES.longLink.cap);
    expect(Number(item.droppedSlots)).toBeGreaterThan(0);
    expect(links.length + Number(item.droppedSlots)).toBe(bodies.length);
    const view = (await operatorGet(hub, '/rungopher/campaigns/15/contacts/clicker')).body as { links: unknown[] };
    expect(view.links).toHaveLength(links.length);
  }, 90_000);

  it('whatever JSON the free-form fields hold, a body answered 200 is stored or quarantined (property, through the hub)', async () => {
    const free = fc.oneof(
      fc.jsonValue({ depthSize: 'medium' }),
      fc.integer({ min: 1, max: 80 }).map(nest),
      fc.constantFrom(12345678901234567000, 1e300, -1e-200, 1e-300),
      fc.integer({ min: 1, max: 150 }).map((kb) => 'é'.repeat(kb * 512)),
      fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
    );
    const body = fc
      .record({
        data: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('answer', 'email', 'link', 'count', '')), free, { maxKeys: 4 }),
        context: fc.option(fc.oneof(fc.string(), fc.integer({ min: 1, max: 200 }).map((kb) => 'c'.repeat(kb * 1024))), { nil: undefined }),
        resultType: fc.constantFrom('boolean', 'email', 'phone', 'address', 'linkClicked', 'sms', 'mystery'),
        resultName: fc.oneof(fc.constantFrom('accepted', 'newEmail', 'linkClicked'), fc.string({ minLength: 1, maxLength: 100 })),
      })
      .chain((r) => fc.boolean().map((over) => ({ ...r, data: over ? { ...REQUIRED[r.resultType], ...r.data } : { ...r.data, ...REQUIRED[r.resultType] } })))
      .map((r) => ({ ...makeResult({ id: nextId++, contactId: 'prop', ...r }), ...(r.context === undefined ? { context: undefined } : {}) }));
    const answered: { id: string; status: string; quarantineId?: string }[] = [];
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const text = JSON.stringify(b);
        const res = await post(text);
        expect([200, 413]).toContain(res.status);
        if (res.status === 200) answered.push({ id: String(b.id), status: String(res.body.status), ...(res.body.quarantineId ? { quarantineId: res.body.quarantineId } : {}) });
      }),
      { numRuns: 60 },
    );
    await drained();
    expect(await hub.queueDepth('rungopher-results', 'dlq')).toBe(0);
    const rows = new Set((await clients.scan('rungopher-results')).map((r) => String(r.id)));
    const quarantined = new Set((await clients.scan('quarantine')).map((q) => String(q.id)));
    const processorQuarantine = (await clients.scan('quarantine')).filter((q) => q.stage === 'processor');
    for (const a of answered) {
      if (a.status === 'queued') expect({ id: a.id, stored: rows.has(a.id) }).toEqual({ id: a.id, stored: true });
      else expect({ id: a.id, kept: quarantined.has(a.quarantineId ?? '') }).toEqual({ id: a.id, kept: true });
    }
    // The webhook's check is the processor's: nothing it let through was caught after the 200.
    expect(processorQuarantine).toEqual([]);
    expect(answered.some((a) => a.status === 'queued')).toBe(true);
  }, 120_000);
});
