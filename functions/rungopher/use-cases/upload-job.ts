import { randomUUID } from 'node:crypto';
import type { Campaign, UploadContactsRequest, UploadContactsResponse } from '#rungopher/domain/campaign.ts';
import { parseContactCsv, skippedMobiles, type ContactCsvReport } from '#rungopher/domain/contact-csv.ts';
import { estimateCost } from '#rungopher/domain/cost.ts';
import {
  MAX_BATCH_WARNINGS,
  MAX_CONTACT_BYTES,
  MAX_LISTED_ROWS,
  chunkContacts,
  chunksFor,
  claimKey,
  jobView,
  type BatchRecord,
  type JobContact,
  type UploadJobRecord,
  type UploadJobRequest,
  type UploadJobView,
} from '#rungopher/domain/upload-job.ts';
import type { ClaimOwner, UploadStore } from '#rungopher/adapters/upload-store.ts';
import { mapLimit } from '#platform/concurrency.ts';
import { NotFoundError, ValidationError, VendorError, type Issue } from '#platform/errors.ts';
import type { JsonQueue } from '#platform/queue.ts';
import { hasTime, type TimeBudget } from '#platform/time-budget.ts';
import type { CustomerLinker } from '#platform/customer-index.ts';
import { uploadedContactLinks } from '#rungopher/domain/customer.ts';

/** What creating a job needs: the campaign (its required fields and prices), the store and the queue. */
export interface CreateJobPorts {
  readonly getCampaign: (id: number) => Promise<Campaign>;
  readonly store: UploadStore;
  readonly queue: JsonQueue<{ jobId: string }>;
  readonly now?: () => Date;
}

/** The CSV read with the campaign's rules, plus contacts too large to keep moved to the invalid rows. */
export function readUploadCsv(campaign: Campaign, req: Pick<UploadJobRequest, 'csv' | 'country' | 'mode' | 'map'>): ContactCsvReport {
  const report = parseContactCsv(req.csv, { defaultCountry: req.country, mode: req.mode, requiredFields: campaign.requiredFields, headerMap: req.map });
  const tooLarge = report.contacts.filter((c) => Buffer.byteLength(JSON.stringify(c.contact), 'utf8') > MAX_CONTACT_BYTES);
  if (!tooLarge.length) return report;
  return {
    ...report,
    contacts: report.contacts.filter((c) => !tooLarge.includes(c)),
    invalid: [...report.invalid, ...tooLarge.map((c) => ({ line: c.line, problems: [`the row is over ${MAX_CONTACT_BYTES} bytes`] }))].sort((a, b) => a.line - b.line),
  };
}

/** The rows that block an upload, one issue each (`body.csv` line N), as a refusal lists them. */
export function problemLines(report: ContactCsvReport): Issue[] {
  return [
    ...report.missingColumns.map((c) => ({ name: 'body.csv', detail: `no column maps to ${c} (map a header to it with map: {"Header": "${c}"})` })),
    ...report.invalid.map((i) => ({ name: 'body.csv', detail: `line ${i.line}: ${i.problems.join('; ')}` })),
    ...report.duplicates.map((d) => ({ name: 'body.csv', detail: `line ${d.line}: duplicate ${d.field} (first on line ${d.firstLine})` })),
  ];
}

/**
 * `POST /rungopher/campaigns/{id}/uploads`: reads and checks the CSV as the CLI does (header mapping,
 * E.164, required fields, duplicates); while rows are invalid nothing is accepted unless
 * `skipInvalid`. The valid contacts are kept in the uploads table and a job is queued; the answer is
 * the job (state `queued`). Nothing is sent to Rungopher here.
 */
export async function createUploadJob(campaignId: number, req: UploadJobRequest, operator: string, ports: CreateJobPorts): Promise<UploadJobView> {
  const campaign = await ports.getCampaign(campaignId);
  const report = readUploadCsv(campaign, req);
  const problems = problemLines(report);
  if (problems.length && !req.skipInvalid) {
    throw new ValidationError(
      `${report.invalid.length} invalid and ${report.duplicates.length} duplicate row(s)${report.missingColumns.length ? `, missing columns ${report.missingColumns.join(', ')}` : ''}: nothing accepted. Fix the file, or send skipInvalid: true to upload the ${report.contacts.length} valid contact(s).`,
      listed(problems),
    );
  }
  if (report.contacts.length === 0) throw new ValidationError('The CSV holds no valid contact: nothing to upload', listed(problems));
  const { refs, chunks } = chunkContacts(report.contacts);
  const estimate = estimateCost(campaign, report.contacts);
  const now = (ports.now ?? (() => new Date()))().toISOString();
  const job: UploadJobRecord = {
    jobId: `rgu_${randomUUID().replaceAll('-', '')}`,
    campaignId: String(campaign.id),
    campaignTitle: campaign.title,
    mode: req.mode,
    state: 'queued',
    createdAt: now,
    updatedAt: now,
    operator,
    ...(req.file !== undefined ? { file: req.file } : {}),
    resendUnknown: req.resendUnknown,
    batchSize: req.batchSize,
    batchCount: Math.ceil(report.contacts.length / req.batchSize),
    contacts: report.contacts.length,
    rows: report.rows,
    invalid: report.invalid.length,
    duplicates: report.duplicates.length,
    chunks: refs,
    estimate: { totalVendor: estimate.totalVendor, totalCarrier: estimate.totalCarrier, extraSegmentsVendor: estimate.extraSegmentsVendor, extraSegmentsCarrier: estimate.extraSegmentsCarrier },
  };
  await ports.store.create(job, chunks);
  await ports.queue.send({ jobId: job.jobId });
  return { ...jobView(job, []), skippedRows: listed(problems).map((i) => i.detail) } as UploadJobView;
}

const listed = (issues: Issue[]): Issue[] => (issues.length > MAX_LISTED_ROWS ? [...issues.slice(0, MAX_LISTED_ROWS), { name: 'body.csv', detail: `... and ${issues.length - MAX_LISTED_ROWS} more` }] : issues);

/** `GET /rungopher/uploads/{jobId}`: the job, its progress and each batch's outcome. */
export async function getUploadJob(jobId: string, store: UploadStore): Promise<UploadJobView> {
  const job = /^rgu_[0-9a-f]{32}$/.test(jobId) ? await store.getJob(jobId) : undefined;
  if (!job) throw new NotFoundError(`No upload job ${jobId}`);
  return jobView(job, await store.batches(jobId));
}

/** What running a job needs. */
export interface RunJobPorts {
  readonly store: UploadStore;
  readonly upload: (campaignId: number, request: UploadContactsRequest) => Promise<UploadContactsResponse>;
  /** Queues the job again to continue in a fresh invocation (short of time). */
  readonly requeue: (jobId: string) => Promise<void>;
  /** Claims written at once. @default 16 */
  readonly concurrency?: number;
  /** Longest one batch may take (its claims and the vendor call); a batch starts only with this much time left. @default 0 */
  readonly batchMs?: number;
  /** The customer index: each batch's contacts are linked to their contact id, mobile and e-mail. Left out, nothing is linked. */
  readonly link?: CustomerLinker;
}

/** What a run did: finished the job, stopped it, handed the rest to a new invocation, or found nothing to do. */
export type RunOutcome = 'done' | 'failed' | 'continued' | 'nothing' | 'busy';

/**
 * Runs a job batch by batch. For each batch: claims its contacts (a contact another upload holds is
 * not sent: counted as already started, or as unknown-held when that upload's outcome is unknown,
 * unless `resendUnknown`), records `sending`, sends, records the outcome, and gives up the claims of
 * contacts that were not started (refused batch, vendor skips). A batch found `sending` (the worker
 * stopped mid-request) becomes `unknown` and is never sent again. After a failed or unknown batch the
 * job stops, as the CLI does. Short of time (the vendor may take two minutes), it queues itself again
 * and returns. Safe to run twice at once: the `claiming` -> `sending` step is conditional.
 */
export async function runUploadJob(jobId: string, budget: TimeBudget, ports: RunJobPorts): Promise<RunOutcome> {
  const job = await ports.store.getJob(jobId);
  if (!job || job.state === 'done' || job.state === 'failed') return 'nothing';
  if (job.state === 'queued') await ports.store.setJob(jobId, { state: 'running' });
  const holders = new Map<string, BatchRecord | undefined>();
  const holderBatch = async (o: ClaimOwner): Promise<BatchRecord | undefined> => {
    const k = `${o.jobId}#${o.batch}`;
    if (!holders.has(k)) holders.set(k, await ports.store.batch(o.jobId, o.batch));
    return holders.get(k);
  };
  let stopped: string | undefined;
  for (let n = 1; n <= job.batchCount; n++) {
    const from = (n - 1) * job.batchSize;
    let record = await ports.store.batch(jobId, n);
    if (stopped) {
      if (!record) {
        const contacts = await contactsOf(job, from, ports.store);
        await linkBatch(job, n, contacts, ports);
        await ports.store.putBatch(jobId, blank(n, contacts, 'not-sent', `not sent: ${stopped}`), 'absent');
      }
      continue;
    }
    if (record && !['claiming', 'sending'].includes(record.state)) {
      if (record.state === 'failed' || record.state === 'unknown') stopped = `batch ${n} ${record.state}`;
      continue;
    }
    if (!hasTime(budget, ports.batchMs ?? 0)) {
      await ports.requeue(jobId);
      return 'continued';
    }
    const contacts = await contactsOf(job, from, ports.store);
    if (record?.state === 'sending') {
      // Another run of this job is sending it now (a redelivery while the first run is alive): leave it.
      if (record.leaseUntil !== undefined && Date.parse(record.leaseUntil) > Date.now()) return 'busy';
      await ports.store.putBatch(jobId, { ...record, state: 'unknown', error: 'the upload worker stopped while this batch was being sent; check the campaign in the portal before sending these contacts again (resendUnknown)', updatedAt: now() }, 'sending');
      stopped = `batch ${n} unknown`;
      continue;
    }
    if (!record) {
      // Linked before anything is sent: every contact the hub holds is findable, whatever happens next.
      await linkBatch(job, n, contacts, ports);
      record = blank(n, contacts, 'claiming');
      if (!(await ports.store.putBatch(jobId, record, 'absent'))) return 'busy';
    }
    const owner: ClaimOwner = { jobId, batch: n };
    const claims = await mapLimit(contacts, ports.concurrency ?? 16, (c) => claimContact(job, c, owner, holderBatch, ports.store));
    const mine = contacts.filter((_, i) => claims[i] === 'mine');
    const counts = { alreadyStarted: claims.filter((c) => c === 'started').length, unknownHeld: claims.filter((c) => c === 'unknown').length };
    if (mine.length === 0) {
      await ports.store.putBatch(jobId, { ...record, ...counts, state: 'skipped', updatedAt: now() }, 'claiming');
      continue;
    }
    const sending: BatchRecord = { ...record, ...counts, state: 'sending', sent: mine.length, leaseUntil: new Date(Date.now() + (ports.batchMs ?? 0)).toISOString(), updatedAt: now() };
    // Written before the request: a worker that dies during it leaves `sending`, read above as unknown.
    if (!(await ports.store.putBatch(jobId, sending, 'claiming'))) return 'busy';
    const outcome = await send(job, mine, ports);
    for (const c of outcome.release) await ports.store.release(claimKey(job.campaignId, job.mode, c.contact), owner);
    const { leaseUntil: _lease, ...sent } = sending;
    await ports.store.putBatch(jobId, { ...sent, ...outcome.record, updatedAt: now() }, 'sending');
    if (outcome.record.state === 'failed' || outcome.record.state === 'unknown') stopped = `batch ${n} ${outcome.record.state}`;
  }
  await ports.store.setJob(jobId, stopped ? { state: 'failed', error: `stopped: ${stopped}` } : { state: 'done' });
  return stopped ? 'failed' : 'done';
}

const now = (): string => new Date().toISOString();

function blank(n: number, contacts: readonly JobContact[], state: BatchRecord['state'], error?: string): BatchRecord {
  return {
    batch: n,
    state,
    size: contacts.length,
    firstLine: contacts[0]?.line ?? 0,
    lastLine: contacts.at(-1)?.line ?? 0,
    sent: 0,
    started: 0,
    alreadyStarted: 0,
    unknownHeld: 0,
    skipped: 0,
    warnings: [],
    warningCount: 0,
    ...(error ? { error } : {}),
    updatedAt: now(),
  };
}

/** A contact of a job with its position in the job's list (0-based). */
type Placed = JobContact & { readonly index: number };

/** The contacts of the batch starting at `from`, in order, with their positions; those erased since the upload are left out. */
async function contactsOf(job: UploadJobRecord, from: number, store: UploadStore): Promise<Placed[]> {
  const count = Math.min(job.batchSize, job.contacts - from);
  const out: Placed[] = [];
  for (const ref of chunksFor(job.chunks, from, count)) {
    const chunk = await store.chunk(job.jobId, ref.n);
    const start = Math.max(0, from - ref.from);
    const end = Math.min(chunk.length, from + count - ref.from);
    for (let i = start; i < end; i++) {
      const c = chunk[i];
      if (c) out.push({ ...c, index: ref.from + i });
    }
  }
  return out;
}

/** Links a batch's contacts in the customer index (idempotent: a run that starts the batch again links again). */
async function linkBatch(job: UploadJobRecord, batch: number, contacts: readonly Placed[], ports: Pick<RunJobPorts, 'link'>): Promise<void> {
  if (!ports.link || contacts.length === 0) return;
  await ports.link(uploadedContactLinks(job, contacts.map((c) => ({ index: c.index, batch, line: c.line, contact: c.contact }))));
}

/**
 * Claims one contact: `mine` when this batch holds it; else what the holder did with it. A holder
 * whose batch failed or was not sent (its claims are given up, but a crash may leave some) and,
 * with `resendUnknown`, one whose outcome is unknown, is taken over.
 */
async function claimContact(job: UploadJobRecord, c: JobContact, owner: ClaimOwner, holderBatch: (o: ClaimOwner) => Promise<BatchRecord | undefined>, store: UploadStore): Promise<'mine' | 'started' | 'unknown'> {
  const key = claimKey(job.campaignId, job.mode, c.contact);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await store.claim(key, owner)) return 'mine';
    const holder = await store.getClaim(key);
    if (!holder) continue; // Given up in between: try again.
    const state = (await holderBatch(holder))?.state;
    const free = state === 'failed' || state === 'not-sent' || state === 'skipped' || (state === 'unknown' && job.resendUnknown && holder.jobId !== job.jobId);
    if (!free) return state === 'unknown' ? 'unknown' : 'started';
    if (await store.claim(key, owner, holder)) return 'mine';
  }
  // Claims moving under us five times in a row: leave this contact to whoever holds it.
  return 'started';
}

async function send(job: UploadJobRecord, mine: readonly JobContact[], ports: RunJobPorts): Promise<{ record: Partial<BatchRecord> & Pick<BatchRecord, 'state'>; release: readonly JobContact[] }> {
  try {
    const res = await ports.upload(Number(job.campaignId), { mode: job.mode, contacts: mine.map((c) => c.contact) });
    const skipped = skippedMobiles(res.warnings, mine.map((c) => c.contact.mobile));
    const notSkipped = mine.filter((c) => !skipped.has(c.contact.mobile));
    // The answer is a count plus warnings naming some mobiles: when they add up each contact is known;
    // when not, the batch is unknown and its claims stay (a re-upload needs resendUnknown).
    const exact = res.started === notSkipped.length;
    return {
      record: { state: exact ? 'started' : 'unknown', started: res.started, skipped: skipped.size, warnings: res.warnings.slice(0, MAX_BATCH_WARNINGS), warningCount: res.warnings.length, ...(exact ? {} : { error: `the vendor reported ${res.started} started of ${notSkipped.length} not skipped` }) },
      release: mine.filter((c) => skipped.has(c.contact.mobile)),
    };
  } catch (e) {
    const definite = e instanceof ValidationError || (e instanceof VendorError && e.status !== undefined && e.status >= 400 && e.status < 500);
    const error = e instanceof VendorError ? `Rungopher${e.status ? ` ${e.status}` : ''}: ${e.vendorMessages.length ? e.vendorMessages.join('; ') : e.message}` : e instanceof Error ? e.message : String(e);
    return { record: { state: definite ? 'failed' : 'unknown', error }, release: definite ? mine : [] };
  }
}
