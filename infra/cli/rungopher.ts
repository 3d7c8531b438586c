import { appendFile, readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import * as z from 'zod';
import { RungopherClient, RUNGOPHER_DEFAULT_BASE_URL } from '#rungopher/adapters/client.ts';
import { CONTACT_FIELDS, MAX_CONTACTS_PER_UPLOAD, UPLOAD_MODES, type Campaign, type Contact, type UploadMode } from '#rungopher/domain/campaign.ts';
import { batches, normalisePhone, parseContactCsv, skippedMobiles, type ContactCsvReport, type CsvContact } from '#rungopher/domain/contact-csv.ts';
import { estimateCost, type CostEstimate } from '#rungopher/domain/cost.ts';
import { countSegments } from '#rungopher/domain/sms.ts';
import { ConfigError, ValidationError, VendorError } from '#platform/errors.ts';
import { localHubUrl } from './local-hub.ts';

/**
 * `switchboard rungopher ...`: templates, campaigns, contact upload from CSV, journey contact update
 * and SMS cost. Reads `RUNGOPHER_API_KEY` and `RUNGOPHER_BASE_URL` (default the production API).
 */

/** What the commands need from outside; tests inject their own. */
export interface RungopherCliDeps {
  /** Builds the API client. @default from RUNGOPHER_BASE_URL / RUNGOPHER_API_KEY */
  readonly client?: () => RungopherClient;
  /** Normal output. @default stdout */
  readonly out?: (line: string) => void;
  /** Errors and progress. @default stderr */
  readonly err?: (line: string) => void;
  /** Show a progress bar on uploads. @default stderr is a TTY */
  readonly progress?: boolean;
  /** Called with 1 when a command fails. @default sets process.exitCode */
  readonly fail?: (code: number) => void;
}

/** Suffix of the journal written next to an uploaded CSV. */
export const JOURNAL_SUFFIX = '.rungopher-journal.jsonl';

/** One line of the upload journal. */
const JournalEntry = z.object({
  at: z.string(),
  campaignId: z.number(),
  mode: z.enum(UPLOAD_MODES),
  batch: z.number(),
  /** sending: written before the request (a crash leaves it: outcome unknown). */
  status: z.enum(['sending', 'done', 'failed', 'unknown']),
  /** Contact keys (`contactId|mobile`). */
  keys: z.array(z.string()).default([]),
  started: z.array(z.string()).default([]),
  skipped: z.array(z.string()).default([]),
  unknown: z.array(z.string()).default([]),
  warnings: z.array(z.string()).default([]),
  error: z.string().optional(),
});
type JournalEntry = z.infer<typeof JournalEntry>;

const contactKey = (c: Contact): string => `${c.contactId}|${c.mobile}`;

/** What the journal says about earlier uploads of this file to this campaign and mode. */
export interface JournalState {
  readonly started: Set<string>;
  /** Sent, but whether they started is not known (5xx, timeout, crash mid-request, counts that do not add up). */
  readonly unknown: Set<string>;
}

/**
 * Reads a journal; lines that do not parse are reported, not trusted. Entries are folded in order per
 * contact: started stays started; an attempt with an unknown outcome (or a `sending` line with no
 * outcome after it, i.e. a crash mid-request) makes a contact uncertain; a definite failure or a skip
 * leaves what was known before.
 */
export function readJournal(text: string, campaignId: number, mode: UploadMode): JournalState & { readonly badLines: number } {
  const state = new Map<string, 'started' | 'unknown'>();
  const pending = new Map<number, string[]>();
  let badLines = 0;
  const uncertain = (k: string): void => {
    if (state.get(k) !== 'started') state.set(k, 'unknown');
  };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: ReturnType<typeof JournalEntry.safeParse>;
    try {
      parsed = JournalEntry.safeParse(JSON.parse(line));
    } catch {
      badLines++;
      continue;
    }
    if (!parsed.success) {
      badLines++;
      continue;
    }
    const e = parsed.data;
    if (e.campaignId !== campaignId || e.mode !== mode) continue;
    if (e.status === 'sending') {
      pending.set(e.batch, e.keys);
      continue;
    }
    pending.delete(e.batch);
    for (const k of e.started) state.set(k, 'started');
    for (const k of e.unknown) uncertain(k);
    if (e.status === 'unknown' && e.unknown.length === 0) for (const k of e.keys) if (!e.skipped.includes(k) && !e.started.includes(k)) uncertain(k);
  }
  for (const keys of pending.values()) for (const k of keys) uncertain(k);
  const started = new Set<string>();
  const unknown = new Set<string>();
  for (const [k, v] of state) (v === 'started' ? started : unknown).add(k);
  return { started, unknown, badLines };
}

/** Registers `rungopher` and its subcommands on a commander program. */
export function registerRungopherCommands(program: Command, deps: RungopherCliDeps = {}): Command {
  const out = deps.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = deps.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const fail = deps.fail ?? ((code: number) => void (process.exitCode = code));
  const client = deps.client ?? defaultClient;
  const showProgress = deps.progress ?? Boolean(process.stderr.isTTY);

  /** Runs an action, printing errors clearly instead of a stack. */
  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await fn(...args);
      } catch (e) {
        err(describeError(e));
        fail(1);
      }
    };

  const rg = program.command('rungopher').description('Rungopher campaigns, contacts, journeys and SMS cost');

  rg.command('templates')
    .description('List the campaign templates (GET api/v1/template)')
    .option('--json', 'print JSON')
    .action(
      run(async (opts: { json?: boolean }) => {
        const templates = await client().templates();
        if (opts.json) return out(JSON.stringify(templates, null, 2));
        out(table(['name', 'category', 'costPerContact', 'displayName'], templates.map((t) => [t.name, t.category, money(t.costPerContact), t.displayName])));
      }),
    );

  const campaigns = rg.command('campaigns').description('Create, list, show and edit campaigns');
  campaigns
    .command('list')
    .description('List campaigns (GET api/v1/campaign)')
    .option('--json', 'print JSON')
    .action(
      run(async (opts: { json?: boolean }) => {
        const list = await client().listCampaigns();
        if (opts.json) return out(JSON.stringify(list, null, 2));
        out(table(['id', 'state', 'title', 'costPerContact', 'costPerExtraSms'], list.map((c) => [String(c.id), c.state, c.title, money(c.costPerContact), money(c.costPerExtraSms)])));
      }),
    );
  campaigns
    .command('get')
    .description('Show a campaign with its SMS contents and their segments (GET api/v1/campaign/<id>)')
    .argument('<id>', 'campaign id', parseId)
    .option('--json', 'print JSON')
    .action(
      run(async (id: number, opts: { json?: boolean }) => {
        const c = await client().getCampaign(id);
        if (opts.json) return out(JSON.stringify(c, null, 2));
        printCampaign(c, out);
      }),
    );
  campaigns
    .command('create')
    .description('Create a campaign from a template (POST api/v1/campaign)')
    .requiredOption('--template <name>', 'template name (see `rungopher templates`)')
    .requiredOption('--title <title>', 'campaign title')
    .requiredOption('--transition-email <email>', 'address for replies that cannot be auto-classified')
    .option('--json', 'print JSON')
    .action(
      run(async (opts: { template: string; title: string; transitionEmail: string; json?: boolean }) => {
        const c = await client().createCampaign({ name: opts.template, title: opts.title, transitionEmail: opts.transitionEmail });
        if (opts.json) return out(JSON.stringify(c, null, 2));
        out(`Created campaign ${c.id} (${c.state}).`);
        printCampaign(c, out);
      }),
    );
  campaigns
    .command('edit')
    .description('Edit transitionEmail and/or SMS contents (POST api/v1/campaign/<id>)')
    .argument('<id>', 'campaign id', parseId)
    .option('--transition-email <email>', 'new transition e-mail')
    .option('--sms <name=content>', 'new content for an SMS (repeatable)', collect, [])
    .option('--sms-file <name=path>', 'new content for an SMS, read from a file (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(
      run(async (id: number, opts: { transitionEmail?: string; sms: string[]; smsFile: string[]; json?: boolean }) => {
        const smsContent = [
          ...opts.sms.map((s) => splitPair(s, '--sms')),
          ...opts.smsFile.map((s) => {
            const [name, path] = splitPair(s, '--sms-file');
            return [name, readFileSync(path, 'utf8').replace(/\r?\n$/, '')] as const;
          }),
        ].map(([name, content]) => ({ name, content }));
        const c = await client().editCampaign(id, {
          ...(opts.transitionEmail !== undefined ? { transitionEmail: opts.transitionEmail } : {}),
          ...(smsContent.length ? { smsContent } : {}),
        });
        if (opts.json) return out(JSON.stringify(c, null, 2));
        out(`Campaign ${c.id} edited.`);
        printCampaign(c, out);
      }),
    );

  const contacts = rg.command('contacts').description('Contact upload');
  contacts
    .command('upload')
    .description('Validate a CSV of contacts and start them in a campaign (POST api/v1/campaign/<id>/contact), in batches of at most 30,000')
    .argument('<file>', 'CSV file with a header line')
    .requiredOption('--campaign <id>', 'campaign id', parseId)
    .addOption(new Option('--mode <mode>', 'live, or test (test may reuse a mobile)').choices([...UPLOAD_MODES]).default('live'))
    .option('--dry-run', 'validate and estimate the cost; send nothing')
    .option('--country <code>', 'country for numbers without a country code', parseCountry, 'AU' as CountryCode)
    .option('--batch-size <n>', `contacts per request (1-${MAX_CONTACTS_PER_UPLOAD})`, parseBatchSize, MAX_CONTACTS_PER_UPLOAD)
    .option('--map <header=field>', `map a CSV header to a contact field (${CONTACT_FIELDS.join(', ')}); repeatable`, collect, [])
    .option('--skip-invalid', 'send the valid rows even when some rows are invalid or duplicated')
    .option('--resend-unknown', 'send again contacts whose earlier upload had an unknown outcome (check the portal first)')
    .option('--json', 'print the summary as JSON')
    .action(
      run(async (file: string, opts: UploadOptions) => {
        await uploadCommand(file, opts, { client: client(), out, err, fail, showProgress });
      }),
    );

  rg.command('journey')
    .description('Journey contacts')
    .command('update')
    .description('Update fields of a contact already uploaded (PUT api/v1/journey/<journeyId>/contact/<mobile>)')
    .argument('<journeyId>', 'journey id', parseId)
    .argument('<mobile>', 'mobile number, any form (sent as digits with the country code, no +)')
    .requiredOption('--field <name=value>', 'firstName, lastName, custom1-4 or campaignName.solutionField; repeatable', collect, [])
    .option('--country <code>', 'country for a number without a country code', parseCountry, 'AU' as CountryCode)
    .action(
      run(async (journeyId: number, mobile: string, opts: { field: string[]; country: CountryCode }) => {
        const phone = normalisePhone(mobile, opts.country);
        if (!phone.ok) throw new ValidationError(phone.reason);
        const fields = Object.fromEntries(opts.field.map((f) => splitPair(f, '--field')));
        await client().updateJourneyContact(journeyId, phone.e164.slice(1), { fields });
        out(`Updated ${Object.keys(fields).join(', ')} of ${phone.e164.slice(1)} in journey ${journeyId}.`);
      }),
    );

  rg.command('cost')
    .description("SMS segments (the vendor's rule and the carrier's) and the cost of uploading a CSV to a campaign")
    .argument('[file]', 'CSV of contacts to estimate for')
    .option('--campaign <id>', 'campaign whose prices and SMS contents to use', parseId)
    .option('--text <sms>', 'count the segments of one text')
    .addOption(new Option('--mode <mode>', 'live or test').choices([...UPLOAD_MODES]).default('live'))
    .option('--country <code>', 'country for numbers without a country code', parseCountry, 'AU' as CountryCode)
    .option('--map <header=field>', 'map a CSV header to a contact field; repeatable', collect, [])
    .option('--json', 'print JSON')
    .action(
      run(async (file: string | undefined, opts: { campaign?: number; text?: string; mode: UploadMode; country: CountryCode; map: string[]; json?: boolean }) => {
        if (opts.text !== undefined) {
          const s = countSegments(opts.text);
          if (opts.json) return out(JSON.stringify(s, null, 2));
          out(segmentsLine('text', s));
          if (file === undefined && opts.campaign === undefined) return;
        }
        if (opts.campaign === undefined) throw new ValidationError('Give --text, or --campaign (with a CSV file to estimate an upload)');
        const campaign = await client().getCampaign(opts.campaign);
        if (file === undefined) {
          if (opts.json) return out(JSON.stringify(campaign.smsContent.map((s) => ({ name: s.name, ...countSegments(s.content) })), null, 2));
          for (const s of campaign.smsContent) out(segmentsLine(s.name, countSegments(s.content)));
          return;
        }
        const report = parseContactCsv(await readFile(file, 'utf8'), { defaultCountry: opts.country, mode: opts.mode, requiredFields: campaign.requiredFields, headerMap: parseMap(opts.map) });
        const estimate = estimateCost(campaign, report.contacts);
        if (opts.json) return out(JSON.stringify({ validation: summariseReport(report), estimate }, null, 2));
        printReport(report, out);
        printEstimate(estimate, out);
      }),
    );
  rg.command('replay')
    .description('Fold every stored result into the contact views again (POST /rungopher/replay on the hub; safe to repeat)')
    .option('--hub <url>', 'hub base URL (the ApiUrl output on AWS); default HUB_URL or the local hub')
    .action(
      run(async (opts: { hub?: string }) => {
        const token = process.env.HUB_OPERATOR_TOKEN;
        if (!token) throw new Error('Set HUB_OPERATOR_TOKEN (npm start prints it; on AWS it is in the hub secret)');
        const base = localHubUrl(opts.hub);
        let cursor: string | null = null;
        let replayed = 0;
        let skipped = 0;
        let failures = 0;
        do {
          const res: Response = await fetch(`${base}/rungopher/replay${cursor ? `?cursor=${cursor}` : ''}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
          const body = ReplayAnswer.parse(await res.json().catch(() => ({})));
          if (res.status >= 500 && ++failures <= 3) {
            // A gateway timeout or a throttled call: the same page again (replay is idempotent).
            err(`POST /rungopher/replay answered ${res.status}; retrying the same page`);
            await new Promise((r) => setTimeout(r, 1000 * failures));
            continue;
          }
          if (!res.ok) throw new Error(`POST /rungopher/replay answered ${res.status}: ${JSON.stringify(body)}`);
          failures = 0;
          replayed += body.replayed;
          skipped += body.skippedCount;
          for (const s of body.skipped) err(`skipped result ${s.id}: ${s.reason}`);
          cursor = body.nextCursor;
        } while (cursor);
        out(`Replayed ${replayed} stored result(s) into the contact views${skipped ? `; ${skipped} no longer valid and left as stored` : ''}.`);
      }),
    );

  return rg;
}

interface UploadOptions {
  campaign: number;
  mode: UploadMode;
  dryRun?: boolean;
  country: CountryCode;
  batchSize: number;
  map: string[];
  skipInvalid?: boolean;
  resendUnknown?: boolean;
  json?: boolean;
}

const ReplayAnswer = z.looseObject({
  replayed: z.number().default(0),
  skippedCount: z.number().default(0),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })).default([]),
  nextCursor: z.string().nullable().default(null),
});

interface UploadContext {
  client: RungopherClient;
  out: (l: string) => void;
  err: (l: string) => void;
  fail: (code: number) => void;
  showProgress: boolean;
}

/** The upload summary, also printed as JSON with --json. */
export interface UploadSummary {
  file: string;
  campaignId: number;
  mode: UploadMode;
  dryRun: boolean;
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  alreadyStarted: number;
  unknownHeld: number;
  toSend: number;
  batches: { batch: number; size: number; status: 'started' | 'failed' | 'unknown' | 'not-sent'; started: number; warnings: string[]; error?: string }[];
  started: number;
  journal: string;
  estimate: Pick<CostEstimate, 'contacts' | 'totalVendor' | 'totalCarrier' | 'extraSegmentsVendor' | 'extraSegmentsCarrier'>;
}

async function uploadCommand(file: string, opts: UploadOptions, ctx: UploadContext): Promise<void> {
  const { out, err } = ctx;
  const text = await readFile(file, 'utf8');
  const campaign = await ctx.client.getCampaign(opts.campaign);
  const report = parseContactCsv(text, {
    defaultCountry: opts.country,
    mode: opts.mode,
    requiredFields: campaign.requiredFields,
    headerMap: parseMap(opts.map),
  });
  const journalPath = file + JOURNAL_SUFFIX;
  const journal = existsSync(journalPath) ? readJournal(await readFile(journalPath, 'utf8'), campaign.id, opts.mode) : { started: new Set<string>(), unknown: new Set<string>(), badLines: 0 };
  if (journal.badLines) err(`Journal ${journalPath}: ${journal.badLines} unreadable line(s) ignored.`);

  const alreadyStarted: CsvContact[] = [];
  const unknownHeld: CsvContact[] = [];
  const toSend: CsvContact[] = [];
  for (const c of report.contacts) {
    const key = contactKey(c.contact);
    if (journal.started.has(key)) alreadyStarted.push(c);
    else if (journal.unknown.has(key) && !opts.resendUnknown) unknownHeld.push(c);
    else toSend.push(c);
  }
  const estimate = estimateCost(campaign, toSend);
  const summary: UploadSummary = {
    file,
    campaignId: campaign.id,
    mode: opts.mode,
    dryRun: Boolean(opts.dryRun),
    rows: report.rows,
    valid: report.contacts.length,
    invalid: report.invalid.length,
    duplicates: report.duplicates.length,
    alreadyStarted: alreadyStarted.length,
    unknownHeld: unknownHeld.length,
    toSend: toSend.length,
    batches: [],
    started: 0,
    journal: journalPath,
    estimate: { contacts: estimate.contacts, totalVendor: estimate.totalVendor, totalCarrier: estimate.totalCarrier, extraSegmentsVendor: estimate.extraSegmentsVendor, extraSegmentsCarrier: estimate.extraSegmentsCarrier },
  };

  if (!opts.json) {
    out(`Campaign ${campaign.id} "${campaign.title}" (${campaign.state}), mode ${opts.mode}.`);
    printReport(report, out);
    if (alreadyStarted.length) out(`${alreadyStarted.length} contact(s) already started by an earlier run of this file (journal ${journalPath}); not sent again.`);
    if (unknownHeld.length) {
      out(`${unknownHeld.length} contact(s) were sent earlier with an unknown outcome; held back. Check the campaign in the portal, then re-run with --resend-unknown if they did not start` + (opts.mode === 'live' ? ' (in live mode Rungopher skips a mobile already in the campaign).' : '.'));
      for (const c of unknownHeld.slice(0, 20)) out(`  line ${c.line}: ${c.contact.contactId} ${c.contact.mobile}`);
    }
    printEstimate(estimate, out);
  }

  const blocked = (report.invalid.length > 0 || report.duplicates.length > 0 || report.missingColumns.length > 0) && !opts.skipInvalid;
  if (opts.dryRun) {
    if (opts.json) out(JSON.stringify(summary, null, 2));
    else out(`Dry run: nothing sent. ${toSend.length} contact(s) would be started in ${Math.ceil(toSend.length / opts.batchSize)} request(s).` + (blocked ? ' A real run needs the invalid rows fixed, or --skip-invalid.' : ''));
    return;
  }
  if (blocked) {
    if (opts.json) out(JSON.stringify(summary, null, 2));
    throw new ValidationError(`${report.invalid.length} invalid and ${report.duplicates.length} duplicate row(s)${report.missingColumns.length ? `, missing columns ${report.missingColumns.join(', ')}` : ''}: nothing sent. Fix the file, or pass --skip-invalid to send the ${toSend.length} valid contact(s).`);
  }
  if (toSend.length === 0) {
    if (opts.json) out(JSON.stringify(summary, null, 2));
    else out('Nothing to send.');
    return;
  }

  const parts = batches(toSend, opts.batchSize);
  const bar = ctx.showProgress && toSend.length > 1000 ? new SingleBar({ format: 'Uploading [{bar}] {value}/{total} contacts | batch {batch}/{batches} | {duration_formatted}', stream: process.stderr }, Presets.shades_classic) : undefined;
  bar?.start(toSend.length, 0, { batch: 1, batches: parts.length });
  const journalLine = (e: Omit<JournalEntry, 'at' | 'campaignId' | 'mode'>): Promise<void> =>
    appendFile(journalPath, JSON.stringify({ at: new Date().toISOString(), campaignId: campaign.id, mode: opts.mode, ...e }) + '\n');
  const batchBase = Date.now();
  let failed = false;
  for (const [i, part] of parts.entries()) {
    const batchNo = batchBase + i;
    const keys = part.map((c) => contactKey(c.contact));
    if (failed) {
      summary.batches.push({ batch: i + 1, size: part.length, status: 'not-sent', started: 0, warnings: [] });
      continue;
    }
    // Written before sending: if this process dies mid-request, the re-run knows these are uncertain.
    await journalLine({ batch: batchNo, status: 'sending', keys, started: [], skipped: [], unknown: [], warnings: [] });
    try {
      const res = await ctx.client.uploadContacts(campaign.id, { mode: opts.mode, contacts: part.map((c) => c.contact) });
      const skipped = skippedMobiles(res.warnings, part.map((c) => c.contact.mobile));
      const notSkipped = part.filter((c) => !skipped.has(c.contact.mobile));
      // The response gives a count, and warnings naming some mobiles. When they add up, each contact is
      // known; when not, the ones not named are uncertain rather than assumed started.
      const exact = res.started === notSkipped.length;
      const started = exact ? notSkipped.map((c) => contactKey(c.contact)) : [];
      const unknown = exact ? [] : notSkipped.map((c) => contactKey(c.contact));
      await journalLine({ batch: batchNo, status: exact ? 'done' : 'unknown', keys, started, skipped: part.filter((c) => skipped.has(c.contact.mobile)).map((c) => contactKey(c.contact)), unknown, warnings: res.warnings });
      summary.started += res.started;
      summary.batches.push({ batch: i + 1, size: part.length, status: exact ? 'started' : 'unknown', started: res.started, warnings: res.warnings });
    } catch (e) {
      failed = true;
      const definite = e instanceof ValidationError || (e instanceof VendorError && e.status !== undefined && e.status >= 400 && e.status < 500);
      await journalLine({ batch: batchNo, status: definite ? 'failed' : 'unknown', keys, started: [], skipped: [], unknown: definite ? [] : keys, warnings: [], error: describeError(e) });
      summary.batches.push({ batch: i + 1, size: part.length, status: definite ? 'failed' : 'unknown', started: 0, warnings: [], error: describeError(e) });
    }
    bar?.update(Math.min(toSend.length, (i + 1) * opts.batchSize), { batch: Math.min(i + 2, parts.length), batches: parts.length });
  }
  bar?.stop();

  if (opts.json) out(JSON.stringify(summary, null, 2));
  else {
    for (const b of summary.batches) {
      const first = (b.batch - 1) * opts.batchSize;
      const lines = `${toSend[first]?.line ?? '?'}-${toSend[Math.min(first + b.size, toSend.length) - 1]?.line ?? '?'}`;
      if (b.status === 'started') out(`Batch ${b.batch} (${b.size} contacts, CSV lines ${lines}): started ${b.started}${b.warnings.length ? `, ${b.warnings.length} warning(s)` : ''}.`);
      else if (b.status === 'unknown') out(`Batch ${b.batch} (${b.size} contacts, CSV lines ${lines}): OUTCOME UNKNOWN${b.error ? ` (${b.error})` : ` (vendor reported ${b.started} started)`}; these contacts may have started and are held back on a re-run unless --resend-unknown.`);
      else if (b.status === 'failed') out(`Batch ${b.batch} (${b.size} contacts, CSV lines ${lines}): FAILED, none started: ${b.error ?? ''}`);
      else out(`Batch ${b.batch} (${b.size} contacts, CSV lines ${lines}): not sent.`);
      for (const w of b.warnings.slice(0, 20)) out(`  warning: ${w}`);
      if (b.warnings.length > 20) out(`  ... ${b.warnings.length - 20} more warning(s) in ${journalPath}`);
    }
    out(`Started ${summary.started} contact(s). Journal: ${journalPath} (a re-run of this file skips contacts already started).`);
  }
  if (failed) throw new ValidationError('Upload stopped at a failed batch; re-run the same command to send what was not started.');
}

function defaultClient(): RungopherClient {
  const apiKey = process.env.RUNGOPHER_API_KEY;
  if (!apiKey) throw new ConfigError('Missing configuration: set RUNGOPHER_API_KEY');
  return new RungopherClient({ baseUrl: process.env.RUNGOPHER_BASE_URL || RUNGOPHER_DEFAULT_BASE_URL, apiKey });
}

/** A message for a person: the vendor's own messages, or each validation issue on its line. */
export function describeError(e: unknown): string {
  if (e instanceof ValidationError) return [e.message, ...e.issues.map((i) => `  - ${i.name}: ${i.detail}`)].join('\n');
  if (e instanceof VendorError) return `Rungopher error${e.status ? ` ${e.status}` : ''}: ${e.vendorMessages.length ? e.vendorMessages.join('; ') : e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

function printCampaign(c: Campaign, out: (l: string) => void): void {
  out(`Campaign ${c.id}: ${c.title}`);
  out(`  state ${c.state}, token ${c.campaignToken}, transition e-mail ${c.transitionEmail}`);
  out(`  costs: per contact ${money(c.costPerContact)}, per extra SMS segment ${money(c.costPerExtraSms)}, per transition ${money(c.costPerTransition)}`);
  out(`  required fields: ${c.requiredFields.join(', ')}`);
  for (const s of c.smsContent) {
    out(segmentsLine(`  ${s.name} (${s.displayName})`, countSegments(s.content)));
    out(`    ${s.content}`);
  }
}

function segmentsLine(label: string, s: ReturnType<typeof countSegments>): string {
  return `${label}: ${s.characters} characters; vendor rule ${s.vendorSegments} segment(s); carrier ${s.encoding} ${s.units} units, ${s.carrierSegments} segment(s)${s.nonGsmCharacters.length ? ` (non-GSM: ${s.nonGsmCharacters.join(' ')})` : ''}`;
}

function summariseReport(r: ContactCsvReport) {
  return { rows: r.rows, valid: r.contacts.length, invalid: r.invalid, duplicates: r.duplicates, ignoredHeaders: r.ignoredHeaders, missingColumns: r.missingColumns, columns: r.columns };
}

function printReport(r: ContactCsvReport, out: (l: string) => void): void {
  out(`Rows: ${r.rows}; valid ${r.contacts.length}; invalid ${r.invalid.length}; duplicates ${r.duplicates.length}.`);
  out(`Columns: ${r.columns.map((c) => `${c.header} -> ${c.field ?? '(ignored)'}`).join(', ')}`);
  if (r.missingColumns.length) out(`Missing required columns: ${r.missingColumns.join(', ')} (use --map "Header=field")`);
  for (const i of r.invalid) out(`  line ${i.line}: invalid: ${i.problems.join('; ')}`);
  for (const d of r.duplicates) out(`  line ${d.line}: duplicate ${d.field} ${d.value} (first on line ${d.firstLine})`);
}

function printEstimate(e: CostEstimate, out: (l: string) => void): void {
  out(`Cost estimate for ${e.contacts} contact(s) (upper bound: every SMS content sent to every contact):`);
  out(`  contacts: ${e.contacts} x ${money(e.costPerContact)} = ${money(e.contactCost)}`);
  out(`  extra segments, vendor rule: ${e.extraSegmentsVendor} x ${money(e.costPerExtraSms)} = ${money(e.extraCostVendor)}; total ${money(e.totalVendor)}`);
  out(`  extra segments, carrier rule (GSM-7/UCS-2): ${e.extraSegmentsCarrier} x ${money(e.costPerExtraSms)} = ${money(e.extraCostCarrier)}; total ${money(e.totalCarrier)}`);
  for (const s of e.sms) {
    out(`  ${s.name}: as written ${s.asWritten.vendorSegments} (vendor) / ${s.asWritten.carrierSegments} (carrier) segment(s); with contact fields up to ${s.maxVendorSegments} / ${s.maxCarrierSegments}; contacts over one segment ${s.contactsWithExtraVendor} / ${s.contactsWithExtraCarrier}`);
  }
  if (e.extraCases.length) {
    out('  contacts causing extra segments:');
    for (const c of e.extraCases.slice(0, 20)) out(`    line ${c.line ?? '?'} ${c.contactId} ${c.mobile} ${c.sms}: vendor ${c.vendorSegments}, carrier ${c.carrierSegments} (${c.encoding})`);
    if (e.extraCases.length > 20) out(`    ... and ${e.extraCases.length - 20} more (use --json for all)`);
  }
}

function money(n: number): string {
  return `$${n.toFixed(n * 100 === Math.round(n * 100) ? 2 : 4)}`;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function splitPair(s: string, option: string): [string, string] {
  const i = s.indexOf('=');
  if (i <= 0) throw new ValidationError(`${option} expects name=value, got "${s}"`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function parseMap(pairs: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const p of pairs) {
    const [header, field] = splitPair(p, '--map');
    if (!(CONTACT_FIELDS as readonly string[]).includes(field)) throw new ValidationError(`--map ${p}: ${field} is not a contact field (${CONTACT_FIELDS.join(', ')})`);
    map[header] = field;
  }
  return map;
}

function parseId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not an id (a whole number)`);
  return n;
}

function parseCountry(value: string): CountryCode {
  const code = value.toUpperCase();
  if (!isSupportedCountry(code)) throw new InvalidArgumentError(`"${value}" is not a country code (ISO 3166 alpha-2, e.g. AU, NZ, GB)`);
  return code;
}

function parseBatchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONTACTS_PER_UPLOAD) throw new InvalidArgumentError(`must be 1..${MAX_CONTACTS_PER_UPLOAD}`);
  return n;
}

/** A standalone `switchboard`-like program with only the Rungopher commands (tests, and `tsx infra/cli/rungopher.ts`). */
export function rungopherProgram(deps: RungopherCliDeps = {}): Command {
  const program = new Command('switchboard');
  registerRungopherCommands(program, deps);
  return program;
}

// `tsx infra/cli/rungopher.ts rungopher ...` works on its own, before or without the main CLI.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await rungopherProgram().parseAsync();
