import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RungopherClient } from '#rungopher/adapters/client.ts';
import { Command } from 'commander';
import { JOURNAL_SUFFIX, readJournal, registerRungopherCommands } from '#infra/cli/rungopher.ts';
import { startRungopherSandbox, type RungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';

/** The `switchboard rungopher` commands against the sandbox, parsed by commander as a shell would. */

const KEY = 'cli-key';
let sandbox: RungopherSandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startRungopherSandbox({ apiKey: KEY });
  dir = await mkdtemp(join(tmpdir(), 'rg-cli-'));
});
afterAll(async () => {
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  // Settings first: commander copies them to subcommands when they are created.
  const program = new Command('switchboard').exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
  registerRungopherCommands(program, {
    client: () => new RungopherClient({ baseUrl: sandbox.url, apiKey: KEY, retry: { baseDelayMs: 1, maxDelayMs: 5 } }),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    fail: (c) => (code = c),
    progress: false,
  });
  try {
    await program.parseAsync(['node', 'switchboard', ...args]);
  } catch (e) {
    // commander's own errors (bad option values): exitOverride turns them into exceptions.
    code = (e as { exitCode?: number }).exitCode ?? 1;
    err.push((e as Error).message);
  }
  return { out: out.join('\n'), err: err.join('\n'), code };
}

async function csv(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const uploadsTo = (id: number): number => sandbox.calls.filter((c) => c.method === 'POST' && c.path === `campaign/${id}/contact`).length;

async function newCampaign(template = 'AcceptDecline'): Promise<number> {
  const r = await cli('rungopher', 'campaigns', 'create', '--template', template, '--title', 'cli test', '--transition-email', 'ops@example.com', '--json');
  expect(r.code).toBe(0);
  return (JSON.parse(r.out) as { id: number }).id;
}

describe('switchboard rungopher', () => {
  it('templates, campaigns list and get', async () => {
    expect((await cli('rungopher', 'templates')).out).toMatch(/AcceptDecline\s+General\s+\$0\.34/);
    expect((await cli('rungopher', 'campaigns', 'list')).out).toMatch(/15\s+draft\s+T1001: My Great Event Opt In/);
    const get = await cli('rungopher', 'campaigns', 'get', '16');
    expect(get.out).toContain('per extra SMS segment $0.04');
    expect(get.out).toMatch(/smsHello \(A\. Hello\): 77 characters; vendor rule 1 segment\(s\); carrier GSM-7 77 units, 1 segment/);
    const missing = await cli('rungopher', 'campaigns', 'get', '999');
    expect(missing).toMatchObject({ code: 1, err: 'Rungopher error 404: No such campaign' });
    expect((await cli('rungopher', 'campaigns', 'get', 'abc')).code).toBe(1);
  });

  it('campaigns create and edit, and edit errors shown issue by issue without sending', async () => {
    const id = await newCampaign();
    const edited = await cli('rungopher', 'campaigns', 'edit', String(id), '--sms', 'smsAcceptReply=Great! See you {firstName}', '--transition-email', 'new@example.com');
    expect(edited.code).toBe(0);
    expect(edited.out).toContain('Great! See you {firstName}');
    const calls = sandbox.calls.length;
    const bad = await cli('rungopher', 'campaigns', 'edit', String(id), '--sms', 'smsAcceptReply=a', '--sms', 'smsAcceptReply=b');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/Invalid edit campaign request\n {2}- smsContent\.1\.name: smsContent name "smsAcceptReply" appears more than once/);
    expect((await cli('rungopher', 'campaigns', 'edit', String(id))).err).toMatch(/give transitionEmail, smsContent or both/);
    const long = await csv('long.txt', 'x'.repeat(1001) + '\n');
    expect((await cli('rungopher', 'campaigns', 'edit', String(id), '--sms-file', `smsAcceptReply=${long}`)).err).toMatch(/between 1 and 1000/);
    expect(sandbox.calls.length).toBe(calls);
    expect((await cli('rungopher', 'campaigns', 'edit', String(id), '--sms', 'smsNope=x')).err).toBe('Rungopher error 400: No such sms content: smsNope');
  });

  it('dry run: validation report with line numbers and the cost estimate, nothing sent', async () => {
    const id = await newCampaign();
    await cli('rungopher', 'campaigns', 'edit', String(id), '--sms', `smsInterested=${'x'.repeat(150)} {firstName}`);
    const file = await csv(
      'dry.csv',
      'Contact ID,First Name,Last Name,Mobile Number,Favourite\n1,Al,Jones,0468 403 001,x\n2,Bartholomew,Smith,+61468403002,y\n3,,Lee,0468403003,z\n4,Dee,Ng,02 9999 9999,\n5,Ed,Oh,0468403001,\n',
    );
    const r = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Rows: 5; valid 2; invalid 2; duplicates 1.');
    expect(r.out).toContain('Favourite -> (ignored)');
    expect(r.out).toContain('line 4: invalid: firstName is required');
    expect(r.out).toMatch(/line 5: invalid: "02 9999 9999" is not a mobile number/);
    expect(r.out).toContain('line 6: duplicate mobile +61468403001 (first on line 2)');
    expect(r.out).toContain('contacts: 2 x $0.34 = $0.68');
    expect(r.out).toContain('extra segments, vendor rule: 1 x $0.04 = $0.04; total $0.72');
    expect(r.out).toMatch(/line 3 2 \+61468403002 smsInterested: vendor 2, carrier 2/);
    expect(r.out).toContain('Dry run: nothing sent.');
    expect(uploadsTo(id)).toBe(0);
    expect(existsSync(file + JOURNAL_SUFFIX)).toBe(false);
  });

  it('--country sets how national numbers are read; an unknown country is refused', async () => {
    const file = await csv('nz.csv', 'contactId,firstName,lastName,mobile\n1,A,B,021 123 4567\n');
    const nz = await cli('rungopher', 'contacts', 'upload', file, '--campaign', '15', '--dry-run', '--country', 'nz', '--json');
    expect(nz.code).toBe(0);
    expect(JSON.parse(nz.out)).toMatchObject({ valid: 1, invalid: 0, toSend: 1, dryRun: true });
    const au = await cli('rungopher', 'contacts', 'upload', file, '--campaign', '15', '--dry-run', '--json');
    expect(JSON.parse(au.out)).toMatchObject({ valid: 0, invalid: 1 });
    const bad = await cli('rungopher', 'contacts', 'upload', file, '--campaign', '15', '--dry-run', '--country', 'XX');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/"XX" is not a country code/);
  });

  it('refuses a file with invalid rows unless --skip-invalid; a re-run never starts anyone twice', async () => {
    const id = await newCampaign();
    const file = await csv('skip.csv', 'id,first,last,mobile\n1,A,B,0468403101\n2,C,D,0468403102\n3,E,F,not-a-number\n');
    const refused = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/1 invalid and 0 duplicate row\(s\): nothing sent/);
    expect(uploadsTo(id)).toBe(0);

    const sent = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--skip-invalid');
    expect(sent.code).toBe(0);
    expect(sent.out).toContain('Batch 1 (2 contacts, CSV lines 2-3): started 2.');
    expect(sandbox.contactsOf(id)).toHaveLength(2);

    const again = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--skip-invalid');
    expect(again.code).toBe(0);
    expect(again.out).toContain('2 contact(s) already started by an earlier run of this file');
    expect(again.out).toContain('Nothing to send.');
    expect(uploadsTo(id)).toBe(1);
  });

  it('a failed batch is reported with who started and who did not; the re-run sends only the rest', async () => {
    const id = await newCampaign();
    const rows = Array.from({ length: 5 }, (_, i) => `${i + 1},F${i},L${i},04684032${String(i).padStart(2, '0')}`).join('\n');
    const file = await csv('batches.csv', `contactId,firstName,lastName,mobile\n${rows}\n`);
    // Batch 1 goes through; batch 2 gets a 500 (outcome unknown: Rungopher may have started them).
    sandbox.injectFault({ status: 500, times: 1, skip: 1, path: `campaign/${id}/contact` });
    const first = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--batch-size', '2');
    expect(first.code).toBe(1);
    expect(first.out).toContain('Batch 1 (2 contacts, CSV lines 2-3): started 2.');
    expect(first.out).toMatch(/Batch 2 \(2 contacts, CSV lines 4-5\): OUTCOME UNKNOWN \(Rungopher error 500/);
    expect(first.out).toContain('Batch 3 (1 contacts, CSV lines 6-6): not sent.');
    expect(sandbox.contactsOf(id)).toHaveLength(2);

    const journal = readJournal(await readFile(file + JOURNAL_SUFFIX, 'utf8'), id, 'live');
    expect(journal.started.size).toBe(2);
    expect(journal.unknown.size).toBe(2);

    const second = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--batch-size', '2');
    expect(second.code).toBe(0);
    expect(second.out).toContain('2 contact(s) already started');
    expect(second.out).toMatch(/2 contact\(s\) were sent earlier with an unknown outcome; held back/);
    expect(second.out).toContain('Batch 1 (1 contacts, CSV lines 6-6): started 1.');
    expect(sandbox.contactsOf(id)).toHaveLength(3);

    const third = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--batch-size', '2', '--resend-unknown');
    expect(third.code).toBe(0);
    expect(third.out).toContain('Batch 1 (2 contacts, CSV lines 4-5): started 2.');
    const mobiles = sandbox.contactsOf(id).map((c) => c.mobile);
    expect(mobiles).toHaveLength(5);
    expect(new Set(mobiles).size).toBe(5);
    expect((await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id))).out).toContain('Nothing to send.');
  });

  it('a batch the vendor refuses (403) is reported as not started and is sent on the re-run', async () => {
    const id = await newCampaign();
    const file = await csv('denied.csv', 'contactId,firstName,lastName,mobile\n1,A,B,0468403301\n');
    sandbox.setCampaignState(id, 'completed');
    const denied = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id));
    expect(denied.code).toBe(1);
    expect(denied.out).toMatch(/Batch 1 \(1 contacts, CSV lines 2-2\): FAILED, none started: Rungopher error 403/);
    sandbox.setCampaignState(id, 'draft');
    const ok = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id));
    expect(ok.out).toContain('started 1.');
  });

  it('shows vendor warnings, and test mode keeps its own journal', async () => {
    const id = await newCampaign();
    const file = await csv('warn.csv', 'contactId,firstName,lastName,mobile\n1,A,B,0468403401\n');
    await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--mode', 'test');
    const t2 = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id), '--mode', 'test');
    expect(t2.out).toContain('already started');
    const live = await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id));
    expect(live.out).toContain('started 0, 1 warning(s)');
    expect(live.out).toContain('warning: Mobile number +61468403401 already exists in this campaign, skipped');
  });

  it('journey update sends the mobile without +, only allowed fields', async () => {
    const id = await newCampaign('TellYourFriends');
    const file = await csv('journey.csv', 'contactId,firstName,lastName,mobile,weblink\n1,A,B,0468403501,https://x.co/1\n');
    expect((await cli('rungopher', 'contacts', 'upload', file, '--campaign', String(id))).code).toBe(0);
    const r = await cli('rungopher', 'journey', 'update', String(id), '0468 403 501', '--field', 'firstName=Justin', '--field', 'promo.weblink=https://example.com/m24j4F');
    expect(r).toMatchObject({ code: 0, out: `Updated firstName, promo.weblink of 61468403501 in journey ${id}.` });
    expect(sandbox.contactsOf(id)[0]).toMatchObject({ firstName: 'Justin', 'promo.weblink': 'https://example.com/m24j4F' });
    const bad = await cli('rungopher', 'journey', 'update', String(id), '0468403501', '--field', 'mobile=1');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/field "mobile" cannot be updated/);
  });

  it('cost: segments of a text by both rules, and of a campaign', async () => {
    const t = await cli('rungopher', 'cost', '--text', 'Hi 👋 {firstName}');
    expect(t.out).toBe('text: 16 characters; vendor rule 1 segment(s); carrier UCS-2 17 units, 1 segment(s) (non-GSM: 👋)');
    const c = await cli('rungopher', 'cost', '--campaign', '15', '--json');
    expect((JSON.parse(c.out) as { name: string }[]).map((x) => x.name)).toEqual(['smsInterested', 'smsAcceptReply']);
    const file = await csv('cost.csv', 'contactId,firstName,lastName,mobile\n1,A,B,0468403601\n');
    const est = await cli('rungopher', 'cost', file, '--campaign', '15', '--json');
    expect(JSON.parse(est.out)).toMatchObject({ estimate: { contacts: 1, totalVendor: 0.34 } });
    expect((await cli('rungopher', 'cost')).code).toBe(1);
  });
});
