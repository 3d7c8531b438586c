import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { sampleMessage } from '#infra/local/sandboxes/netcore-samples.ts';
import type { NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { tables } from '#infra/topology/index.ts';
import { findPersonalText } from '#platform/identity.ts';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';
import { hubClients } from '#test/helpers/aws.ts';
import { goodaysEvent } from '#test/goodays/fixtures.ts';
import { Command } from 'commander';
import { registerCustomerCommands } from '#infra/cli/customers.ts';
import { hubClient } from '#infra/cli/hub-client.ts';
import { addCommonOptions } from '#infra/cli/output.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';

/**
 * One person in all three vendors' data: a Rungopher contact who gave a phone number and an e-mail
 * address, a Goodays response with the same e-mail, a Netcore WhatsApp user whose id is the phone.
 * A subscription receives every event, so outbound delivery records exist for each of them.
 * The timeline shows all of it newest first; the erasure then leaves nothing findable by the phone,
 * the e-mail or the vendor ids in any attribute of any table (outbound deliveries included), and
 * another person's data stays. The
 * hub logs at DEBUG meanwhile, and no line it prints may hold a phone number or an e-mail address.
 */

const PHONE = '+61412345678';
const NATIONAL = '0412 345 678';
const EMAIL = 'Alice.Nguyen@Example.com';
const CONTACT = 'c-alice-7781';
const RESPONSE = 'rAliceResp01';
const OTHER = { phone: '+61498765432', contact: 'c-bob-5512', response: 'rBobResp0002' };

type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let clients: ReturnType<typeof hubClients>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const printed: string[] = [];

beforeAll(async () => {
  const keep = (chunk: unknown) => {
    printed.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, m).mockImplementation(keep);
  const secret = newWebhookSecret();
  receiver = await startReceiver(secret);
  hub = await startTestHub({
    env: {
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_LOGGER_LOG_EVENT: 'true',
      NETCORE_SANDBOX_USERS_PER_CHANNEL: '1',
      NETCORE_SANDBOX_MESSAGES_PER_USER: '2',
      HUB_SUBSCRIPTIONS: JSON.stringify([{ id: 'crm', url: receiver.url, secret, events: ['*'] }]),
    },
    log: (l) => printed.push(l),
  });
  clients = hubClients(hub);
}, 60_000);
afterAll(async () => {
  await hub?.cleanup();
  await receiver?.stop();
  vi.restoreAllMocks();
});

async function rungopher(body: unknown): Promise<void> {
  const res = await fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN ?? ''}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  expect(res.status).toBe(200);
}

async function goodays(event: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(event);
  const secret = (hub.env.GOODAYS_HMAC_SECRETS ?? '').split(',')[0] ?? '';
  const res = await fetch(`${hub.url}/webhooks/goodays`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hmac-sha256': createHmac('sha256', secret).update(body).digest('hex') }, body });
  expect(res.status).toBe(200);
}

/** The campaign the person's contact was uploaded to (through the hub) and answers in. */
let campaignId = 15;
const result = (id: number, contactId: string, resultType: string, resultName: string, data: Record<string, unknown>, timestamp: string) => ({ id, campaignId, contactId, resultType, resultName, data, timestamp });

/** Uploads the person's contact and the other person's through the hub, in one job, and waits for it to finish. */
async function uploadContacts(): Promise<string> {
  const created = await send('/rungopher/campaigns', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'AcceptDecline', title: 'customer test', transitionEmail: 'ops@example.com' }) });
  expect(created.status).toBe(201);
  campaignId = Number((created.body as { id: string | number }).id);
  const csv = ['contactId,First Name,Surname,Mobile Number,Email', `${CONTACT},Alice,Nguyen,${NATIONAL},${EMAIL}`, `${OTHER.contact},Bob,Lee,${OTHER.phone},bob@example.org`].join('\n');
  const up = await send(`/rungopher/campaigns/${campaignId}/uploads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ csv }) });
  expect(up.status).toBe(202);
  const jobId = String((up.body as { jobId: string }).jobId);
  await eventually(async () => {
    const job = (await send(`/rungopher/uploads/${jobId}`)).body as { state: string };
    return job.state === 'done' ? true : undefined;
  }, { timeoutMs: 30_000 });
  return jobId;
}

function feedback(responseId: string, email: string, created: string): Record<string, unknown> {
  const e = goodaysEvent('response', { responseId }) as { response: Record<string, unknown> };
  e.response.created_date = created;
  e.response.updated_date = created;
  e.response.user = { email, first_name: 'A', last_name: 'N' };
  e.response.context = { email, phone: null };
  e.response.message = { id: `m-${responseId}`, created_date: created, type: 'Problem', content: 'The parcel never came', sender: { email } };
  return e;
}

async function send(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${hub.url}${path}`, { ...init, headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}`, ...init.headers } });
  return { status: res.status, body: await res.json() };
}

/** Every string anywhere in an item (names and values, sets and lists included), lower-cased. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value.toLowerCase());
  else if (typeof value === 'number') out.push(String(value));
  else if (value instanceof Set || Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8').toLowerCase());
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, out.concat([k.toLowerCase()]) && out);
  return out;
}

/** What of `needles` appears in any table, as `table: needle`. */
async function findAnywhere(needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const table of Object.keys(tables)) {
    for (const item of await clients.scan(table)) {
      const text = strings(item).join('\u0000');
      for (const n of needles) if (text.includes(n.toLowerCase())) hits.push(`${table}: ${n}`);
    }
  }
  return [...new Set(hits)];
}

describe('one customer across vendors', () => {
  it('shows a person in all three vendors as one timeline, then erases them everywhere', async () => {
    // Rungopher: the person's contact uploaded through the hub with their mobile and e-mail, and another's.
    const jobId = await uploadContacts();
    // Rungopher: the contact's answer, the phone (national) and the e-mail they gave; another contact.
    await rungopher(result(9001, CONTACT, 'boolean', 'accepted', { answer: 'yes' }, '2026-11-01T09:00:00Z'));
    await rungopher(result(9002, CONTACT, 'phone', 'newNumber', { phone: NATIONAL }, '2026-11-02T09:00:00Z'));
    await rungopher(result(9003, CONTACT, 'email', 'newEmail', { email: EMAIL }, '2026-11-03T09:00:00Z'));
    await rungopher(result(9004, OTHER.contact, 'phone', 'newNumber', { phone: OTHER.phone }, '2026-11-02T10:00:00Z'));
    // A body Rungopher sent that the hub could not read, carrying the phone: quarantined.
    await rungopher(`{"campaignId":15,"contactId":"${CONTACT}","data":{"phone":"${PHONE}"},"broken":`);
    // Goodays: feedback from the same e-mail; another person's.
    await goodays(feedback(RESPONSE, EMAIL.toLowerCase(), '2026-11-04T09:00:00+01:00'));
    await goodays(feedback(OTHER.response, 'bob@example.org', '2026-11-04T10:00:00Z'));
    // Netcore: a WhatsApp user whose id is the phone, with two messages.
    const sandbox = hub.sandboxes.netcore as NetcoreSandbox;
    const recent = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    sandbox.addUser({ userId: PHONE, channelId: 1014, lastInteracted: recent(1) });
    sandbox.addMessage(PHONE, 1014, sampleMessage('text', recent(3), 'User', 'where is my parcel'));
    sandbox.addMessage(PHONE, 1014, sampleMessage('text', recent(2), 'Bot', 'let me check'));
    expect(await hub.runSchedule('netcore-users-poller')).toMatchObject({ ok: true });

    await eventually(async () => ((await clients.scan('rungopher-results')).length === 4 && (await clients.scan('goodays-threads')).length === 2 && (await hub.queueDepth('netcore-transcripts')) === 0 ? true : undefined), { timeoutMs: 20_000 });
    await eventually(async () => ((await clients.scan('netcore-transcripts')).some((t) => t.botUserId === PHONE) ? true : undefined));
    // Every event delivered to the subscription, and its delivery recorded (the subject names the person's vendor ids).
    const deliveriesOf = async () => (await clients.scan('outbound-deliveries')).filter((d) => d.eventId !== '#summary').map((d) => String(d.subject));
    const personSubjects = [`goodays:response:${RESPONSE}`, `netcore:user:${PHONE}`, `rungopher:contact:${JSON.stringify([String(campaignId), CONTACT])}`];
    await eventually(async () => {
      const subjects = await deliveriesOf();
      return personSubjects.every((p) => subjects.includes(p)) && subjects.includes(`goodays:response:${OTHER.response}`) ? true : undefined;
    }, { timeoutMs: 20_000 });
    // Settled: the work queues and the subscription's queue empty, and the delivery records unchanged for a second.
    let last = -1;
    const personDeliveries = await eventually(
      async () => {
        const n = (await deliveriesOf()).filter((x) => personSubjects.includes(x)).length;
        const work = (await Promise.all((['rungopher-results', 'goodays-events', 'goodays-actions', 'netcore-transcripts'] as const).map((q) => hub.queueDepth(q)))).every((d) => d === 0);
        const subscription = ((await send('/subscriptions')).body as { items: { id: string; queueDepth: number }[] }).items.find((i) => i.id === 'crm');
        const idle = work && subscription?.queueDepth === 0;
        const stable = idle && n === last;
        last = n;
        return stable ? n : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );

    // The timeline by phone and e-mail: every vendor, newest first, paged by the list contract.
    const first = await send(`/customers?phone=${encodeURIComponent(NATIONAL)}&email=${encodeURIComponent(EMAIL)}&limit=3`);
    expect(first.status).toBe(200);
    const page1 = first.body as { items: { vendor: string; kind: string; at: string; link: string }[]; nextCursor: string | null };
    expect(page1.items).toHaveLength(3);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const rest = await send(`/customers?phone=${encodeURIComponent(PHONE)}&email=${encodeURIComponent(EMAIL)}&limit=1000&cursor=${page1.nextCursor}`);
    const all = [...page1.items, ...(rest.body as typeof page1).items];
    expect((rest.body as typeof page1).nextCursor).toBeNull();
    expect(new Set(all.map((i) => i.vendor))).toEqual(new Set(['rungopher', 'goodays', 'netcore']));
    expect(all.map((i) => i.kind).sort()).toEqual(['chatbot-transcript', 'chatbot-user', 'contact-upload', 'contact-view', 'feedback', 'sms-result', 'sms-result', 'sms-result'].sort());
    expect(all.find((i) => i.kind === 'contact-upload')?.link).toBe(`/rungopher/uploads/${jobId}`);
    expect(all.map((i) => i.at)).toEqual([...all.map((i) => i.at)].sort().reverse());
    expect(all.find((i) => i.kind === 'feedback')?.link).toBe(`/goodays/responses/${RESPONSE}`);
    expect((await operatorGet(hub, all.find((i) => i.kind === 'feedback')?.link ?? '')).status).toBe(200);
    // By phone alone: the contact's upload, results (its e-mail result too, through the contact) and the chatbot, not the feedback.
    const byPhone = (await send(`/customers?phone=${encodeURIComponent(PHONE)}`)).body as typeof page1;
    expect(byPhone.items.map((i) => i.vendor).sort()).toEqual(['netcore', 'netcore', 'rungopher', 'rungopher', 'rungopher', 'rungopher', 'rungopher']);

    // The CLI prints the same timeline, one line per record.
    const lines: string[] = [];
    const program = new Command().exitOverride();
    registerCustomerCommands(program, { client: () => hubClient({ url: hub.url, token: hub.env.HUB_OPERATOR_TOKEN ?? '' }), out: (l) => lines.push(l) });
    addCommonOptions(program);
    await program.parseAsync(['node', 'switchboard', 'customer', 'show', '--phone', PHONE, '--email', EMAIL]);
    expect(lines).toHaveLength(all.length + 1);
    expect(lines[0]).toMatch(/^\S+Z {2}\S+ +\S+ /);
    expect(lines.at(-1)).toBe(`${all.length} record(s).`);

    // The export holds the records themselves.
    const exported = await send(`/customers/export?phone=${encodeURIComponent(PHONE)}&email=${encodeURIComponent(EMAIL)}`);
    expect(exported.status).toBe(200);
    const doc = JSON.stringify(exported.body);
    for (const s of ['where is my parcel', 'The parcel never came', NATIONAL, RESPONSE]) expect(doc).toContain(s);
    expect(doc).not.toContain(OTHER.response);

    // Bad queries: 400 naming the parameter, never a 5xx.
    expect((await send('/customers')).status).toBe(400);
    expect((await send('/customers?phone=hello')).status).toBe(400);
    expect((await send('/customers?email=x@y.z&cursor=nonsense')).status).toBe(400);
    expect((await send(`/customers?phone=${encodeURIComponent(PHONE)}`, { method: 'DELETE' })).status).toBe(400); // no X-Requested-By

    const needles = [PHONE, PHONE.slice(1), NATIONAL, EMAIL, CONTACT, RESPONSE];
    expect((await findAnywhere(needles)).length).toBeGreaterThan(0);

    const erase = await send(`/customers?phone=${encodeURIComponent(PHONE)}&email=${encodeURIComponent(EMAIL)}`, { method: 'DELETE', headers: { 'x-requested-by': 'dpo' } });
    expect(erase.status, JSON.stringify(erase.body) + printed.filter((l) => /Unhandled/.test(l)).join("\n").slice(0, 3000)).toBe(200);
    const answer = erase.body as { complete: boolean; counts: Record<string, number>; erasureId: string };
    expect(answer.complete).toBe(true);
    expect(answer.counts).toMatchObject({ 'rungopher-results': 3, 'rungopher-contacts': 1, 'rungopher-uploads': 2, 'goodays-events': 1, 'goodays-threads': 1, 'netcore-users': 1, 'netcore-transcripts': 2, quarantine: 1, 'outbound-deliveries': personDeliveries });
    expect(personDeliveries).toBeGreaterThanOrEqual(3);
    expect(answer.counts['customer-index']).toBeGreaterThan(0);

    // Nothing findable by the phone (any format), the e-mail or the linked vendor ids, in any attribute of any table.
    expect(Object.keys(tables)).toContain('outbound-deliveries');
    expect(await findAnywhere(needles)).toEqual([]);
    // The other person's deliveries stay.
    expect(await deliveriesOf()).toContain(`goodays:response:${OTHER.response}`);
    // The other person is all there.
    expect(new Set((await findAnywhere([OTHER.phone, OTHER.contact, OTHER.response])).map((h) => h.split(': ')[1]))).toEqual(new Set([OTHER.phone, OTHER.contact, OTHER.response]));
    expect(((await send(`/customers?phone=${encodeURIComponent(OTHER.phone)}`)).body as typeof page1).items.map((i) => i.kind).sort()).toEqual(['contact-upload', 'contact-view', 'sms-result']);
    // The upload job still reads, the person's entry erased in place.
    expect((await send(`/rungopher/uploads/${jobId}`)).status).toBe(200);
    // The audit keeps who and when and a keyed hash, not the identifier.
    const audit = (await clients.scan('customer-erasures')).find((a) => a.id === answer.erasureId);
    expect(audit).toMatchObject({ requestedBy: 'dpo', state: 'complete', subjectHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // Idempotent: a second erasure finds nothing and says so.
    const again = await send(`/customers?phone=${encodeURIComponent(PHONE)}&email=${encodeURIComponent(EMAIL)}`, { method: 'DELETE', headers: { 'x-requested-by': 'dpo' } });
    expect(again.body).toMatchObject({ complete: true, counts: {} });

    // Erasure is not a block list: the person's next result is stored and found again.
    await rungopher(result(9010, CONTACT, 'phone', 'newNumber', { phone: PHONE }, '2026-11-05T09:00:00Z'));
    await eventually(async () => (((await send(`/customers?phone=${encodeURIComponent(PHONE)}`)).body as typeof page1).items.length > 0 ? true : undefined));
  }, 90_000);

  it('backfills the index from what was stored before it, idempotently and page by page', async () => {
    await rungopher(result(9100, 'c-carol-42', 'email', 'newEmail', { email: 'carol@example.net' }, '2026-11-06T09:00:00Z'));
    await eventually(async () => (((await send('/customers?email=carol@example.net')).body as { items: unknown[] }).items.length === 2 ? true : undefined));
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined));
    // The index is lost (a table restored from before it existed): nothing is found.
    for (const row of await clients.scan('customer-index')) await clients.dynamo.send(new DeleteCommand({ TableName: 'switchboard-customer-index', Key: { identifier: row.identifier, ref: row.ref } }));
    expect(((await send('/customers?email=carol@example.net')).body as { items: unknown[] }).items).toEqual([]);
    const run = async () => {
      let cursor: string | null = '';
      let calls = 0;
      while (cursor !== null && calls++ < 50) {
        const out = await send(`/customers/backfill${cursor ? `?cursor=${cursor}` : ''}`, { method: 'POST' });
        expect(out.status).toBe(200);
        cursor = (out.body as { nextCursor: string | null }).nextCursor;
      }
    };
    await run();
    const after = (await send('/customers?email=carol@example.net')).body as { items: unknown[] };
    expect(after.items).toHaveLength(2);
    const rows = (await clients.scan('customer-index')).length;
    await run();
    expect((await clients.scan('customer-index')).length).toBe(rows);
    expect((await send('/customers/backfill?cursor=bm9wZQ', { method: 'POST' })).status).toBe(400);
  });

  it('never lists a record that is no longer stored (expired by retention), though its index rows remain', async () => {
    await rungopher(result(9200, 'c-dave-77', 'email', 'newEmail', { email: 'dave@example.net' }, '2026-11-07T09:00:00Z'));
    const kinds = async () => ((await send('/customers?email=dave@example.net')).body as { items: { kind: string }[] }).items.map((i) => i.kind).sort();
    await eventually(async () => ((await kinds()).length === 2 ? true : undefined));
    expect(await kinds()).toEqual(['contact-view', 'sms-result']);
    // DynamoDB TTL deletes the result item (RAW_BODIES retention); the contact view stays.
    await clients.dynamo.send(new DeleteCommand({ TableName: 'switchboard-rungopher-results', Key: { id: '9200' } }));
    expect(await kinds()).toEqual(['contact-view']);
    expect((await clients.scan('customer-index')).filter((r) => String(r.ref).includes('9200')).length).toBeGreaterThan(0);
  });

  it('printed no phone number or e-mail address in any log line, at DEBUG', () => {
    expect(printed.length).toBeGreaterThan(20);
    expect(printed.filter((l) => / DEBUG /.test(l)).length).toBeGreaterThan(0);
    const leaks = printed.flatMap((l) => findPersonalText(l).map((m) => `${m} in: ${l.slice(0, 200)}`));
    expect(leaks).toEqual([]);
  });
});
