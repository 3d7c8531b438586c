/**
 * `npm run screenshots`: the README's pictures of the console, taken in Chromium from a local hub
 * with sandbox data: the inbox and a thread at 1280x800, the thread at phone width, the hub's status
 * and one customer's timeline. Writes
 * `functions/console/screenshots/*.png`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import type { NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { browserAvailable, CHROMIUM_INSTALL, CHROMIUM_PATH, launchBrowser, signIn } from '#test/helpers/browser.ts';
import { eventually, startTestHub } from '#test/helpers/hub.ts';

if (!browserAvailable()) {
  console.error(`No Chromium at ${CHROMIUM_PATH}: ${CHROMIUM_INSTALL}`);
  process.exit(1);
}
const out = join(PROJECT_ROOT, 'functions/console/screenshots');
await mkdir(out, { recursive: true });
const hub = await startTestHub({ env: { NETCORE_SANDBOX_USERS_PER_CHANNEL: '2', NETCORE_SANDBOX_MESSAGES_PER_USER: '2' } });
const browser = await launchBrowser();
try {
  const sandbox = hub.sandboxes.goodays as GoodaysSandbox;
  const token = hub.env.HUB_OPERATOR_TOKEN ?? '';
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hub.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `shot-${path}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  };
  const stored = (id: string) => eventually(async () => ((await call('GET', `/goodays/responses/${id}`)).thread ? true : undefined));
  const feedback = [
    { source: 'email', content: 'The seller needs to respond in a timely manner.' },
    { source: 'google', content: 'Great staff, but the queue at the till was far too long on Saturday.' },
    { source: 'sms', content: 'My order arrived without the charger.' },
    { source: 'web', content: 'Could someone call me about my warranty?' },
  ];
  for (const f of feedback) {
    const id = sandbox.addResponse(f);
    await sandbox.sendWebhook('response', id);
    await stored(id);
  }
  // A thread with a reply, the customer's answer and room for a private message.
  const id = sandbox.addResponse({ source: 'email', content: 'The parcel was left in the rain and the box was soaked.' });
  await sandbox.sendWebhook('response', id);
  await stored(id);
  const reply = await call('POST', `/goodays/responses/${id}/reply`, { content: 'We are sorry to hear that. A replacement is on its way today.', user: 'jennifer.parker@cs.example.com' });
  await eventually(async () => ((await call('GET', `/goodays/actions/${String(reply.actionId)}`)).state === 'succeeded' ? true : undefined));
  sandbox.customerWrites(id, 'Thank you! Will it need a signature?');
  await sandbox.sendWebhook('message', id);
  await eventually(async () => {
    const t = (await call('GET', `/goodays/responses/${id}`)) as { allowedActions?: string[] };
    return t.allowedActions?.includes('message') ? true : undefined;
  });

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signIn(page, hub.url, token);
  await page.locator('table.list').waitFor();
  await page.screenshot({ path: join(out, 'inbox.png') });
  await page.goto(`${hub.url}/console#/goodays/${id}`);
  await page.locator('#message-content').waitFor();
  await page.locator('#message-content').fill('Yes, the courier will ask for one.');
  await page.screenshot({ path: join(out, 'thread.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(out, 'thread-phone.png') });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The hub: a result stored, a body it could not read quarantined, the pollers run once.
  const phone = '+61412000333';
  const rungopher = (body: unknown) => fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN ?? ''}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  await rungopher({ campaignId: 15, contactId: 'c-1042', id: 5001, resultType: 'boolean', resultName: 'accepted', data: { answer: 'yes' }, timestamp: '2026-11-30T09:00:00Z' });
  await rungopher({ campaignId: 15, contactId: 'c-1042', id: 5002, resultType: 'phone', resultName: 'newNumber', data: { phone }, timestamp: '2026-11-30T09:05:00Z' });
  await rungopher('{"campaignId":15,"contactId":"c-1043","broken":');
  (hub.sandboxes.netcore as NetcoreSandbox).addUser({ userId: phone, channelId: 1014, lastInteracted: new Date(Date.now() - 60_000).toISOString() });
  for (const s of hub.schedules()) await hub.runSchedule(s.name);
  await eventually(async () => ((await call('GET', `/customers?phone=${encodeURIComponent(phone)}`)) as { items: unknown[] }).items.length >= 3 ? true : undefined, { timeoutMs: 30_000 });
  await page.goto(`${hub.url}/console#/hub`);
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
  await page.screenshot({ path: join(out, 'hub-status.png') });
  await page.goto(`${hub.url}/console#/customers`);
  await page.getByLabel('Phone').fill(phone);
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.locator('table.timeline').waitFor();
  await page.screenshot({ path: join(out, 'customer.png') });
  console.log(`screenshots: ${['inbox.png', 'thread.png', 'thread-phone.png', 'hub-status.png', 'customer.png'].map((f) => join('functions/console/screenshots', f)).join(', ')}`);
} finally {
  await browser.close();
  await hub.cleanup();
}
