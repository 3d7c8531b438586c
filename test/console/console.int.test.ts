import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import type { Answered } from '#test/helpers/openapi.ts';
import { browserAvailable, launchBrowser, recordHubAnswers, seriousViolations, signIn as signInTo, tabTo as tabOn, undocumentedAnswers } from '#test/helpers/browser.ts';
import { eventually, startTestHub } from '#test/helpers/hub.ts';

/**
 * The console in a real browser (Debian's Chromium) against a whole local hub: the page as served at
 * /console, its CSP enforced, the Goodays sandbox behind the hub.
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
const canRun = browserAvailable();

let hub: TestHub;
let sandbox: GoodaysSandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspViolations: string[];
let answers: Promise<Answered | null>[];

const OPERATOR = 'jennifer.parker@cs.example.com';

beforeAll(async () => {
  if (!canRun) return;
  hub = await startTestHub();
  sandbox = hub.sandboxes.goodays as GoodaysSandbox;
  browser = await launchBrowser();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await hub?.cleanup();
});
beforeEach(async () => {
  if (!canRun) return;
  await context?.close();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  answers = recordHubAnswers(page, hub.url);
});
afterEach(async () => {
  if (!canRun) return;
  // The console uses only the public operator API: every answer it got is one the API document describes.
  expect(await undocumentedAnswers(answers)).toEqual([]);
});

/** A new open response in the sandbox, delivered to the hub by a signed webhook and stored. */
async function newResponse(content: string): Promise<string> {
  const id = sandbox.addResponse({ content });
  expect((await sandbox.sendWebhook('response', id)).status).toBe(200);
  await eventually(async () => {
    const r = await fetch(`${hub.url}/goodays/responses/${id}`, { headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } });
    return r.status === 200 ? true : undefined;
  });
  return id;
}

const signIn = (p: Page = page) => signInTo(p, hub.url, hub.env.HUB_OPERATOR_TOKEN ?? '');
const tabTo = (selector: string) => tabOn(page, selector);

describe.skipIf(!canRun)('the console in Chromium', () => {
  it('is served at /console with a strict CSP, asks for the token once and keeps it in sessionStorage, never in a URL', async () => {
    const res = await page.goto(`${hub.url}/console`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');

    await page.getByLabel('Operator token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('refused');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await signIn();
    expect(await page.evaluate(() => sessionStorage.getItem('switchboard.operatorToken'))).toBe(hub.env.HUB_OPERATOR_TOKEN);
    expect(await page.evaluate(() => localStorage.getItem('switchboard.operatorToken'))).toBeNull();
    // A reload keeps the session; no URL the page asked for carries the token.
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => u.includes(hub.env.HUB_OPERATOR_TOKEN ?? '\u0000'))).toEqual([]);
    expect(requests.every((u) => u.startsWith(hub.url))).toBe(true);
    expect(cspViolations).toEqual([]);
  });

  it('answers a feedback end to end: the inbox lists it, the reply is sent once on a double click and reaches the outbox', async () => {
    // Markup in a customer's text is shown as text, never run.
    const id = await newResponse('Delivery took three weeks. <img src=x onerror="document.title=\'pwned\'">');
    await signIn();
    await page.getByRole('link', { name: id }).click();
    await page.getByRole('heading', { name: `Response ${id}` }).waitFor();
    await expect.poll(() => page.locator('.messages').textContent()).toContain('Delivery took three weeks. <img src=x onerror="document.title=\'pwned\'">');
    expect(await page.locator('.messages img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');

    const reply = `Sorry about the wait, we are on it (${id}).`;
    await page.getByLabel('Public reply').fill(reply);
    await page.getByLabel(/Your Goodays e-mail/).fill(OPERATOR);
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.headers()['idempotency-key'] ?? '');
    });
    await page.getByRole('button', { name: 'Send reply' }).dblclick();
    await expect.poll(() => page.locator('.actions').textContent(), { timeout: 20_000 }).toMatch(/reply\s*sent/);

    const mine = sandbox.outbox().filter((o) => o.responseId === id);
    expect(mine).toEqual([expect.objectContaining({ action: 'reply', content: reply, user: '1a2b3c4' })]);
    expect(sandbox.requests().filter((r) => r.method === 'PUT' && r.path.includes(id))).toHaveLength(1);
    // Every POST the page made for it carried the same key.
    expect(posts.length).toBeGreaterThan(0);
    expect(new Set(posts).size).toBe(1);
    expect(posts[0]).toMatch(/^console-/);
    // Answered: it leaves the inbox.
    await page.getByRole('link', { name: '← Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await expect.poll(async () => page.getByRole('link', { name: id }).count()).toBe(0);
    expect(cspViolations).toEqual([]);
  });

  it('follows a hash change made the moment the signed-in console first renders, before its effects run', async () => {
    const id = await newResponse('Where is my order?');
    await page.goto(`${hub.url}/console`);
    await page.getByLabel('Operator token').fill(hub.env.HUB_OPERATOR_TOKEN ?? '');
    // A MutationObserver's callback is a microtask: it runs after the shell's first render and before
    // Preact's effects (after paint), so the shell's hashchange listener is not there yet.
    // (A string: this project's tests are typed without the DOM library.)
    await page.evaluate(`(() => {
      const seen = new MutationObserver(() => {
        if ([...document.querySelectorAll('h1')].some((h) => h.textContent === 'Inbox')) {
          seen.disconnect();
          location.hash = ${JSON.stringify(`#/goodays/${id}`)};
        }
      });
      seen.observe(document.body, { childList: true, subtree: true });
      document.querySelector('form button[type=submit]').click();
    })()`);
    await page.getByRole('heading', { name: `Response ${id}` }).waitFor({ timeout: 10_000 });
    await page.getByLabel('Public reply').waitFor();
  });

  it('shows an unknown outcome and resolves it', async () => {
    const id = await newResponse('The parcel was damaged.');
    await signIn();
    await page.goto(`${hub.url}/console#/goodays/${id}`);
    await page.getByLabel('Public reply').fill('We are sending a new one.');
    // Goodays applies the reply and then drops the connection: the hub cannot know, and must not resend.
    sandbox.injectFault({ kind: 'reset-after', count: 1 });
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('heading', { name: 'Outcome unknown' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.actions').textContent()).toContain('unknown');

    await page.getByRole('radio', { name: /Sent: Goodays shows it/ }).check();
    await page.getByLabel('Note (optional)').fill('Seen in the back office');
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expect.poll(() => page.locator('.actions').textContent(), { timeout: 10_000 }).toContain('Resolved by hand as sent');
    expect(await page.getByRole('heading', { name: 'Outcome unknown' }).count()).toBe(0);
    expect(sandbox.outbox().filter((o) => o.responseId === id)).toHaveLength(1);
  }, 60_000);

  it('asks for the remark type where Goodays needs it, and shows the hub\'s refusal when another operator got there first', async () => {
    const id = sandbox.addResponse({ source: 'google', content: 'Two stars, slow service.' });
    expect((await sandbox.sendWebhook('response', id)).status).toBe(200);
    await eventually(async () => ((await fetch(`${hub.url}/goodays/responses/${id}`, { headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } })).status === 200 ? true : undefined));
    await signIn();
    await page.goto(`${hub.url}/console#/goodays/${id}`);
    await page.getByLabel('Public reply').fill('Thank you, we are looking into it.');
    const remark = page.getByLabel('Remark type (required for this source)');
    expect(await remark.evaluate((el) => (el as unknown as { required: boolean }).required)).toBe(true);
    await remark.selectOption('Problem');
    // Another operator closes it first, through the API.
    const other = await fetch(`${hub.url}/goodays/responses/${id}/close`, { method: 'POST', headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ remark_type: 'Problem' }) });
    expect(other.status).toBe(202);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^409: /);
    expect(sandbox.outbox().filter((o) => o.responseId === id)).toEqual([]);
  });

  it('answers by keyboard only', async () => {
    const id = await newResponse('Could you call me back?');
    await page.goto(`${hub.url}/console`);
    await tabTo('#token');
    await page.keyboard.type(hub.env.HUB_OPERATOR_TOKEN ?? '');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('link', { name: id }).waitFor();
    await tabTo(`a[href="#/goodays/${id}"]`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Response ${id}` }).waitFor();
    await tabTo('#reply-content');
    await page.keyboard.type('Of course, we will call you today.');
    await tabTo('#reply-email');
    await page.keyboard.type(OPERATOR);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.actions').textContent(), { timeout: 20_000 }).toMatch(/reply\s*sent/);
    expect(sandbox.outbox().filter((o) => o.responseId === id)).toEqual([expect.objectContaining({ content: 'Of course, we will call you today.' })]);
  });

  it('draws a Netcore transcript per message shape, and an unknown shape raw, as text', async () => {
    expect((await hub.runSchedule('netcore-users-poller')).ok).toBe(true);
    const auth = { headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } };
    const users = (await (await fetch(`${hub.url}/netcore/users?limit=50`, auth)).json()) as { items: { botUserId: string }[] };
    const user = users.items[0]?.botUserId ?? '';
    expect(user).not.toBe('');
    // The transcripts worker runs from the queue in the background.
    await eventually(async () => {
      const r = (await (await fetch(`${hub.url}/netcore/users/${encodeURIComponent(user)}/transcripts?limit=100`, auth)).json()) as { items: unknown[] };
      return r.items.length >= 30 ? true : undefined;
    }, { timeoutMs: 30_000 });
    await signIn();
    await page.getByRole('link', { name: 'Netcore' }).click();
    await page.getByRole('heading', { name: 'Netcore users' }).waitFor();
    await page.locator(`a[href="#/netcore/users/${encodeURIComponent(user)}"]`).first().click();
    await expect.poll(() => page.locator('li[data-shape]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(24);
    const shapes = new Set(await page.locator('li[data-shape]').evaluateAll((els) => els.map((e) => e.getAttribute('data-shape'))));
    const known = ['text', 'attachment', 'card', 'audio', 'video', 'image', 'pdf', 'location', 'doc', 'xls', 'ppt', 'contact', 'form', 'carousel', 'list', 'reply', 'order', 'formResponse', 'template', 'productSingle', 'productMulti', 'dynamicList', 'dynamicReply'];
    expect([...shapes].sort()).toEqual([...known, 'unknown'].sort());
    // A known shape is drawn (no raw dump); the unknown one is shown raw.
    expect(await page.locator('li[data-shape="text"] pre.raw').count()).toBe(0);
    expect(await page.locator('li[data-shape="unknown"] pre.raw').first().textContent()).toContain('sticker');
    expect(cspViolations).toEqual([]);
  }, 60_000);

  it('lists Rungopher results and opens a contact\'s view from them', async () => {
    const result = { campaignId: 15, contactId: 'console-1', id: 990001, resultType: 'boolean', resultName: 'optedOut', data: { answer: 'yes' }, timestamp: '2017-11-14T10:56:14Z' };
    const hook = await fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) });
    expect(hook.status).toBe(200);
    await eventually(async () => {
      const r = await fetch(`${hub.url}/rungopher/campaigns/15/contacts/console-1`, { headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } });
      return r.status === 200 ? true : undefined;
    });
    await signIn();
    await page.getByRole('link', { name: 'Results' }).click();
    await page.getByRole('link', { name: 'console-1' }).click();
    await page.getByRole('heading', { name: 'Contact console-1 of campaign 15' }).waitFor();
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain('Opted outtrue');
    expect(cspViolations).toEqual([]);
  });

  it('has no serious accessibility violations (axe-core) on the sign-in page, the inbox and a thread, at 1280x800 and phone width', async () => {
    const id = await newResponse('Accessibility check.');
    await page.goto(`${hub.url}/console`);
    await page.getByLabel('Operator token').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await signIn();
    await page.getByRole('link', { name: id }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${hub.url}/console#/goodays/${id}`);
    await page.getByLabel('Public reply').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await seriousViolations(page)).toEqual([]);
    // Readable at phone width: nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // Every page of the navigation, at both sizes.
    const hrefs = await page.locator('header nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThanOrEqual(8);
    for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(size);
      for (const href of hrefs) {
        await page.goto(`${hub.url}/console${href}`);
        await page.locator('main h1').first().waitFor();
        await page.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
        expect({ href, size: size.width, violations: await seriousViolations(page) }).toEqual({ href, size: size.width, violations: [] });
        expect({ href, size: size.width, scrollWidth: await page.evaluate('document.documentElement.scrollWidth') }).toEqual({ href, size: size.width, scrollWidth: size.width });
      }
    }
  }, 90_000);
});
