import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { documentProblem, type Answered } from './openapi.ts';

/**
 * A real browser for the console's tests: Debian's Chromium driven by playwright-core through its
 * executable path (playwright-core downloads no browser). `CHROMIUM_PATH` points elsewhere.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/** Whether the browser tests can run here; in CI (CI=true) a missing browser is a failure, not a skip. */
export function browserAvailable(): boolean {
  const found = existsSync(CHROMIUM_PATH);
  if (!found && process.env.CI === 'true') throw new Error(`CI=true but no Chromium at ${CHROMIUM_PATH}: the browser tests must run in CI (${CHROMIUM_INSTALL})`);
  if (!found) console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM_PATH}. Install it with: ${CHROMIUM_INSTALL}`);
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
}

/** Signs in to the console at `hubUrl` with the operator token, and waits for the inbox. */
export async function signIn(page: Page, hubUrl: string, token: string): Promise<void> {
  await page.goto(`${hubUrl}/console`);
  await page.getByLabel('Operator token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
}

/** Presses Tab until the focused element matches `selector` (at most `max` times): reachable by keyboard. */
export async function tabTo(page: Page, selector: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`${selector} not reached with ${max} Tab presses`);
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page and returns the violations of at least `serious` impact. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string | null | undefined; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern, so the check
  // runs against the page as served (no bypassCSP).
  await page.evaluate(axeSource);
  // A string, so this file needs no DOM types: it runs in the page.
  const results = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: { id: string; impact?: string | null; help: string; nodes: { target: string[] }[] }[] };
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/**
 * Records every answer the page gets from the hub's API (not the console's own files), to check
 * afterwards with {@link undocumentedAnswers}: the console uses only the public operator API, as the
 * API document describes it.
 */
export function recordHubAnswers(page: Page, hubUrl: string): Promise<Answered | null>[] {
  const seen: Promise<Answered | null>[] = [];
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.origin !== hubUrl || url.pathname === '/console' || url.pathname.startsWith('/console/')) return;
    seen.push(
      res.text().then(
        (text) => ({ method: res.request().method(), path: url.pathname, status: res.status(), contentType: res.headers()['content-type'] ?? null, body: text === '' ? undefined : text }),
        // The page moved on (a reload, a navigation) before the body was read: nothing to check.
        () => null,
      ),
    );
  });
  return seen;
}

/** Each recorded answer the API document does not describe (route, status, content type, body), as `METHOD /path: why`. */
export async function undocumentedAnswers(seen: readonly Promise<Answered | null>[]): Promise<string[]> {
  const out: string[] = [];
  const all = await Promise.all(seen);
  if (all.length > 0 && all.every((a) => a === null)) out.push('no answer could be read');
  for (const a of all) {
    if (a === null) continue;
    const problem = await documentProblem(a);
    if (problem) out.push(`${a.method} ${a.path}: ${problem}`);
  }
  return out;
}
