import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import type { Answered } from '#test/helpers/openapi.ts';
import { hubClients } from '#test/helpers/aws.ts';
import { browserAvailable, launchBrowser, recordHubAnswers, seriousViolations, signIn as signInTo, tabTo as tabOn, undocumentedAnswers } from '#test/helpers/browser.ts';
import { eventually, startTestHub } from '#test/helpers/hub.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';
import { makeResult } from '#test/rungopher/samples.ts';

/**
 * The console's hub pages in a real browser (Debian's Chromium, the page's CSP enforced) against a
 * whole local hub with one subscription to a test receiver: the status, a quarantined body retried,
 * a DLQ redriven, a poller stream moved with its audit, a subscription's deliveries and its DLQ
 * redriven, and one customer's timeline, export and erasure. Every answer the page got from the hub
 * is checked against the API document afterwards (the console uses only the public operator API).
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const canRun = browserAvailable();

let hub: TestHub;
let clients: ReturnType<typeof hubClients>;
let receiver: Receiver;
/** What the receiver answers: 200, or 410 while refusing (a 410 sends the event to the subscription's DLQ at once). */
let refusing = false;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspViolations: string[];
let answers: Promise<Answered | null>[];

const SECRET = newWebhookSecret();
const PHONE = '+61411000222';
const auth = () => ({ authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` });
const enc = encodeURIComponent;

beforeAll(async () => {
  if (!canRun) return;
  receiver = await startReceiver(SECRET, () => ({ status: refusing ? 410 : 200 }));
  hub = await startTestHub({
    env: {
      HUB_SUBSCRIPTIONS: JSON.stringify([{ id: 'crm', url: receiver.url, secret: SECRET, events: ['*'] }]),
      NETCORE_SANDBOX_USERS_PER_CHANNEL: '1',
      NETCORE_SANDBOX_MESSAGES_PER_USER: '2',
    },
  });
  clients = hubClients(hub);
  browser = await launchBrowser();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await hub?.cleanup();
  await receiver?.stop();
});
beforeEach(async () => {
  if (!canRun) return;
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  answers = recordHubAnswers(page, hub.url);
});
afterEach(async () => {
  if (!canRun) return;
  // Every answer the page got is one the API document describes; nothing broke the page's CSP.
  expect(await undocumentedAnswers(answers)).toEqual([]);
  expect(cspViolations).toEqual([]);
  await context.close();
});

const signIn = () => signInTo(page, hub.url, hub.env.HUB_OPERATOR_TOKEN ?? '');
const tabTo = (selector: string) => tabOn(page, selector);

const webhook = (body: string) => fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const storedIds = async () => (await clients.scan('rungopher-results')).map((r) => String(r.id));

/** axe-core finds no serious violation and nothing is wider than the screen, at 1280x800 and phone width. */
/**
 * The second click of a double click on a button, alone, after the first was answered (a slow hand, a
 * loaded machine): the click event's detail is 2. Then half a second, ample for the browser to send a
 * request the click would cause (it sends at once).
 */
async function lateSecondClick(name: string): Promise<void> {
  const box = await page.getByRole('button', { name }).boundingBox();
  if (!box) throw new Error(`the ${name} button is not on the page`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down({ clickCount: 2 });
  await page.mouse.up({ clickCount: 2 });
  await page.waitForTimeout(500);
}

async function accessibleAtBothSizes(what: string): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    expect({ what, size: size.width, violations: await seriousViolations(page) }).toEqual({ what, size: size.width, violations: [] });
    expect({ what, size: size.width, scrollWidth: await page.evaluate('document.documentElement.scrollWidth') }).toEqual({ what, size: size.width, scrollWidth: size.width });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe.skipIf(!canRun)('the hub pages in Chromium', () => {
  it('shows the status, and draws a status field it does not know (a later count) without more work', async () => {
    expect((await webhook(JSON.stringify(makeResult({ id: 71001, contactId: 'status-1' })))).status).toBe(200);
    await signIn();
    await page.getByRole('link', { name: 'Status', exact: true }).click();
    await page.getByRole('heading', { name: 'Hub status' }).waitFor();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const real = (await (await fetch(`${hub.url}/status`, { headers: auth() })).json()) as { schedules: { name: string }[]; queues: { name: string }[] };
    // Every schedule and queue the hub reports is on the page.
    const text = (await page.locator('main').textContent()) ?? '';
    for (const s of real.schedules) expect(text).toContain(s.name);
    for (const q of real.queues) expect(text).toContain(q.name);
    await accessibleAtBothSizes('status');

    // The attention list replaced on the answer's way to the page by one with other columns (the page knows
    // no status field by name beyond its cards: it draws each one generically); that answer alone is left
    // out of the check against the document.
    const untouched = answers.length;
    await page.route(`${hub.url}/status`, async (route) => {
      const res = await route.fetch();
      const body = { ...((await res.json()) as object), attention: [{ table: 'some-actions', reason: 'outcome unknown: a person must resolve it', count: 2, oldestAt: '2026-11-30T08:00:00Z' }] };
      await route.fulfill({ response: res, json: body });
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const attention = page.locator('[data-status-field="attention"]');
    await attention.getByRole('heading', { name: 'Attention' }).waitFor();
    // The hub's own attention list is on the page already: wait for the refreshed one before reading it.
    await attention.getByRole('cell', { name: 'some-actions' }).waitFor();
    expect(await attention.locator('th').allTextContents()).toEqual(['Table', 'Reason', 'Count', 'Oldest at']);
    const shown = await page.evaluate("new Date('2026-11-30T08:00:00Z').toLocaleString()");
    expect(await attention.locator('td').allTextContents()).toEqual(['some-actions', 'outcome unknown: a person must resolve it', '2', shown]);
    await page.unroute(`${hub.url}/status`);
    answers.splice(untouched);
  }, 60_000);

  it('shows a body a real bad webhook left in the quarantine as text, and retries it from the page', async () => {
    const body = '{"id": "<img src=x onerror=\\"document.title=\'pwned\'\\">", "not": "a result"';
    const res = await webhook(body);
    const { status, quarantineId } = (await res.json()) as { status: string; quarantineId: string };
    expect(status).toBe('quarantined');
    await signIn();
    await page.getByRole('link', { name: 'Quarantine', exact: true }).click();
    await page.locator(`tr[data-quarantine-id="${quarantineId}"] a`).click();
    await page.getByRole('heading', { name: 'Quarantined body' }).waitFor();
    // The body is shown as it came, as text: no element made from it, nothing run.
    expect(await page.getByLabel('The body as received').textContent()).toBe(body);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    await accessibleAtBothSizes('quarantined body');

    await page.getByLabel(/Your name/).fill('ann');
    const retries: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/quarantine\/[^/]+\/retry$/.test(new URL(r.url()).pathname)) retries.push(r.url());
    });
    await page.getByRole('button', { name: 'Retry this body' }).dblclick();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Re-submitted to rungopher-results .* by ann/);
    await expect.poll(() => page.getByTestId('retried').textContent()).toMatch(/^1×, last by ann/);
    // A double click whose second click comes only after the first retry was answered: the same intent,
    // and nothing is sent again.
    await lateSecondClick('Retry this body');
    expect(retries).toHaveLength(1);
    expect(await page.getByTestId('retried').textContent()).toMatch(/^1×, last by ann/);
    // Still unreadable: the processor keeps it again at its own stage, and the list shows both.
    const sha = quarantineId.split('#')[2] ?? '';
    await page.getByRole('link', { name: '← Quarantine' }).click();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.locator(`tr[data-quarantine-id="rungopher#processor#${sha}"]`).count();
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    expect(await page.locator(`tr[data-quarantine-id="${quarantineId}"] td[data-label="Retried"]`).textContent()).toBe('1× by ann');
  }, 60_000);

  it('retries a quarantined body that reads now: it is stored once and the entry stays marked retried', async () => {
    // A result an older processor refused (what a fixed bug leaves behind): its entry as the processor keeps one.
    const body = JSON.stringify(makeResult({ id: 72002, contactId: 'retried-from-page' }));
    const id = `rungopher#processor#${createHash('sha256').update(body).digest('hex')}`;
    await clients.dynamo.send(
      new PutCommand({
        TableName: 'switchboard-quarantine',
        Item: { id, vendor: 'rungopher', reason: 'an older processor refused it', body, bodyEncoding: 'utf8', bodyBytes: body.length, bodySha256: id.split('#')[2], truncated: false, receivedAt: new Date().toISOString(), stage: 'processor', retry: { queue: 'rungopher-results', as: 'envelope' } },
      }),
    );
    await signIn();
    await page.goto(`${hub.url}/console#/hub/quarantine/${enc(id)}`);
    await page.getByRole('button', { name: 'Retry this body' }).waitFor();
    // By keyboard only: the name field, then the button.
    await tabTo('#qi-operator');
    await page.keyboard.type('dee');
    await tabTo('main button');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Retry this body');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Re-submitted to rungopher-results .* by dee/);
    await eventually(async () => ((await storedIds()).includes('72002') ? true : undefined));
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined));
    expect((await storedIds()).filter((x) => x === '72002')).toHaveLength(1);
    await expect.poll(() => page.getByTestId('retried').textContent()).toMatch(/^1×, last by dee/);
    // The console's own results page shows it.
    await page.goto(`${hub.url}/console#/rungopher/contacts/15/retried-from-page`);
    await page.getByRole('heading', { name: 'Contact retried-from-page of campaign 15' }).waitFor();
  }, 60_000);

  it('redrives a DLQ from the page: its depth goes to 0 and the parked message is processed once', async () => {
    const q = hub.queues['rungopher-results'];
    const envelope = { vendor: 'rungopher', requestId: 'parked-console', receivedAt: new Date().toISOString(), body: JSON.stringify(makeResult({ id: 73003, contactId: 'parked-console' })), source: 'webhook' };
    // What the earlier tests queued is done first (on a loaded machine, the test hub's 1 s visibility
    // timeout can park one of their messages in this DLQ too: it is redriven with the rest).
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined), { timeoutMs: 20_000 });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: q.dlqUrl, MessageBody: JSON.stringify(envelope) }));
    const parked = await hub.queueDepth('rungopher-results', 'dlq');
    expect(parked).toBeGreaterThanOrEqual(1);
    await signIn();
    await page.getByRole('link', { name: 'DLQs', exact: true }).click();
    const row = page.locator('tr[data-queue="rungopher-results"]');
    await expect.poll(() => row.locator('[data-field="dlqDepth"]').textContent()).toBe(String(parked));
    await accessibleAtBothSizes('queues');
    await page.getByLabel(/Your name/).fill('bob');
    await page.getByRole('button', { name: 'Redrive the DLQ of rungopher-results' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`Moved ${parked} message(s) from the DLQ of rungopher-results back to it (by bob).`);
    await expect.poll(() => row.locator('[data-field="dlqDepth"]').textContent()).toBe('0');
    expect(await row.getByRole('button', { name: /Redrive/ }).isDisabled()).toBe(true);
    await eventually(async () => ((await storedIds()).includes('73003') ? true : undefined));
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return row.locator('[data-field="depth"]').textContent();
        },
        { timeout: 15_000 },
      )
      .toBe('0');
    expect((await storedIds()).filter((x) => x === '73003')).toHaveLength(1);
    expect(await hub.queueDepth('rungopher-results', 'dlq')).toBe(0);
  }, 60_000);

  it('backfills and resets a poller stream from the page, and shows each change in its audit', async () => {
    expect((await hub.runSchedule('netcore-users-poller')).ok).toBe(true);
    const before = (await (await fetch(`${hub.url}/streams/netcore:users`, { headers: auth() })).json()) as { position: string };
    await signIn();
    await page.getByRole('link', { name: 'Streams', exact: true }).click();
    await page.getByRole('link', { name: 'netcore:users' }).click();
    await page.getByRole('heading', { name: 'Stream netcore:users' }).waitFor();
    await expect.poll(() => page.getByTestId('position').textContent()).toContain(before.position);

    await page.getByLabel(/Your name/).fill('carol');
    await page.getByLabel('Change', { exact: true }).selectOption('backfill');
    await page.getByLabel('From (your local time)').fill('2026-01-01T00:00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    const to = await page.evaluate("new Date('2026-01-01T00:00:00').toISOString()");
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`Recorded: backfill of netcore:users from ${before.position} to ${String(to)} by carol.`);
    const audit = page.locator('table.audit tbody tr');
    await expect.poll(() => audit.count()).toBe(1);
    expect(await audit.first().locator('td').allTextContents()).toEqual([expect.any(String), 'carol', 'backfill', before.position, to]);
    await expect.poll(() => page.getByTestId('position').textContent()).toContain(String(to));

    // A backfill only goes back: forward is the hub's 409, shown; a reset goes anywhere.
    await page.getByLabel('From (your local time)').fill('2026-02-01T00:00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^409: A backfill goes back/);
    await page.getByLabel('Change', { exact: true }).selectOption('reset');
    await page.getByRole('button', { name: 'Apply' }).click();
    const to2 = await page.evaluate("new Date('2026-02-01T00:00:00').toISOString()");
    await expect.poll(() => audit.count()).toBe(2);
    expect(await audit.first().locator('td').allTextContents()).toEqual([expect.any(String), 'carol', 'reset', to, to2]);
    const after = (await (await fetch(`${hub.url}/streams/netcore:users`, { headers: auth() })).json()) as { position: string; audit: { who: string; action: string }[] };
    expect(after.position).toBe(to2);
    expect(after.audit.map((a) => `${a.action} ${a.who}`)).toEqual(['reset carol', 'backfill carol']);
    // A double click on Apply whose second click comes after the first move was answered: the click's
    // detail is 2, the same intent, so the form is not submitted again and no second change is audited.
    const moves: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/streams\/[^/]+\/(reset|backfill)$/.test(new URL(r.url()).pathname)) moves.push(r.url());
    });
    await lateSecondClick('Apply');
    expect(moves).toHaveLength(0);
    expect(await audit.count()).toBe(2);
    await accessibleAtBothSizes('stream');
  }, 60_000);

  it("shows a subscription's deliveries as they arrive at its receiver, and redrives its DLQ", async () => {
    await signIn();
    await page.getByRole('link', { name: 'Subscriptions', exact: true }).click();
    const card = page.locator('[data-subscription="crm"]');
    await card.waitFor();
    expect(await card.locator('dd').first().textContent()).toBe(receiver.url);

    expect((await webhook(JSON.stringify(makeResult({ id: 74004, contactId: 'sub-1' })))).status).toBe(200);
    const delivered = await eventually(async () => [...receiver.unique().values()].find((r) => r.type === 'rungopher.result.stored' && r.data.resultId === '74004'));
    expect(receiver.rejected).toBe(0);
    expect(delivered.id).toMatch(/^evt_/);
    // The card's state after a refresh of the page (polled: deliveries settle in the background).
    const stateAfterRefresh = async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
      return card.locator('[data-field="state"]').textContent();
    };
    await expect.poll(stateAfterRefresh, { timeout: 15_000 }).toBe('healthy');
    expect(await card.locator('[data-field="lastSuccessAt"] time').count()).toBe(1);

    // The subscriber refuses (410): the event goes to the subscription's DLQ at once.
    await eventually(async () => ((await hub.subscriptionDepth('crm')) === 0 ? true : undefined), { timeoutMs: 20_000 });
    refusing = true;
    expect((await webhook(JSON.stringify(makeResult({ id: 74005, contactId: 'sub-2' })))).status).toBe(200);
    await eventually(async () => ((await hub.subscriptionDepth('crm', 'dlq')) >= 1 ? true : undefined), { timeoutMs: 20_000 });
    await eventually(async () => ((await hub.subscriptionDepth('crm')) === 0 ? true : undefined), { timeoutMs: 20_000 });
    const parked = await hub.subscriptionDepth('crm', 'dlq');
    await expect.poll(stateAfterRefresh, { timeout: 15_000 }).toBe('failing');
    expect(await card.locator('[data-field="lastFailure"]').textContent()).toMatch(/: rejected: 410 \(event evt_[0-9a-f]+\)$/);
    expect(await card.locator('[data-field="dlqDepth"]').textContent()).toBe(String(parked));
    await accessibleAtBothSizes('subscriptions');

    refusing = false;
    await page.getByRole('button', { name: 'Redrive the DLQ of subscription crm' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`Moved ${parked} event(s) of crm back to its queue; 0 left in its DLQ.`);
    await eventually(async () => ([...receiver.unique().values()].some((r) => r.type === 'rungopher.result.stored' && r.data.resultId === '74005') ? true : undefined), { timeoutMs: 20_000 });
    await expect
      .poll(
        async () => `${await stateAfterRefresh()} ${await card.locator('[data-field="dlqDepth"]').textContent()}`,
        { timeout: 15_000 },
      )
      .toBe('healthy 0');
    expect(receiver.rejected).toBe(0);
  }, 90_000);

  it("looks a person up across vendors, exports what is held and erases it after a confirmation", async () => {
    // The person: a Netcore WhatsApp user whose id is the phone, and a Rungopher contact who gave it.
    const sandbox = hub.sandboxes.netcore as NetcoreSandbox;
    sandbox.addUser({ userId: PHONE, channelId: 1014, lastInteracted: new Date(Date.now() - 60_000).toISOString() });
    expect((await hub.runSchedule('netcore-users-poller')).ok).toBe(true);
    expect((await webhook(JSON.stringify({ ...makeResult({ id: 75005, contactId: 'cust-1' }), resultType: 'phone', resultName: 'newNumber', data: { phone: PHONE } }))).status).toBe(200);
    const found = async () => ((await (await fetch(`${hub.url}/customers?phone=${enc(PHONE)}`, { headers: auth() })).json()) as { items: { vendor: string }[] }).items;
    await eventually(async () => {
      const vendors = new Set((await found()).map((i) => i.vendor));
      return vendors.has('netcore') && vendors.has('rungopher') ? true : undefined;
    }, { timeoutMs: 20_000 });

    await signIn();
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByLabel('Phone').fill(PHONE);
    await page.getByRole('button', { name: 'Look up' }).click();
    const rows = page.locator('table.timeline tbody tr');
    await expect.poll(() => rows.count()).toBe((await found()).length);
    expect(new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-vendor'))))).toEqual(new Set(['netcore', 'rungopher']));
    // The phone number is never put in the page's URL.
    expect(page.url()).not.toContain(PHONE.slice(1));

    await page.getByRole('button', { name: 'Prepare the export' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Save the export (JSON)' }).click();
    const exported = JSON.parse(await readFile((await (await download).path()) ?? '', 'utf8')) as { subject: string[]; records: { table: string }[] };
    expect(exported.subject).toEqual([`phone:${PHONE}`]);
    expect(exported.records.map((r) => r.table)).toEqual(expect.arrayContaining(['netcore-users', 'rungopher-results']));
    await accessibleAtBothSizes('customer timeline');

    await page.getByLabel('Requested by').fill('dpo@example.com');
    await page.getByRole('button', { name: 'Erase this person…' }).click();
    // Nothing is erased before the confirmation.
    await page.getByRole('alertdialog').waitFor();
    expect((await found()).length).toBeGreaterThan(0);
    await accessibleAtBothSizes('erasure confirmation');
    await page.getByRole('button', { name: 'Yes, erase' }).click();
    await expect.poll(() => page.getByRole('status').last().textContent(), { timeout: 30_000 }).toMatch(/Erasure \S+ complete: .*netcore-users \d/);
    await page.getByTestId('timeline-empty').waitFor();
    expect(await found()).toEqual([]);
  }, 90_000);
});
