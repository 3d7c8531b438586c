import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import * as z from 'zod';
import { CONTACT_FIELDS, MAX_CONTACTS_PER_UPLOAD, UPLOAD_MODES, type Contact, type UploadMode } from './campaign.ts';
import type { CsvContact } from './contact-csv.ts';

/**
 * A contact upload run by the hub: the request an operator sends (a CSV and the options the CLI
 * has), the job it becomes, and its batches. The hub keeps the journal (one claim per contact in
 * DynamoDB), so two operators uploading the same file cannot start a contact twice.
 */

/**
 * Largest CSV the hub takes in one request, in characters. Lambda takes 6 MB of request payload; a
 * 30,000-row CSV is about 2 MB, so two full batches fit in one request.
 */
export const MAX_UPLOAD_CSV_CHARS = 4_500_000;
/** Largest one contact may be once read (JSON bytes): far above any real contact, so a chunk of contacts always fits a DynamoDB item. */
export const MAX_CONTACT_BYTES = 16_384;
/** Bytes of contacts in one stored chunk: under DynamoDB's 400 KB item limit with room for the keys. */
export const CHUNK_BYTES = 300_000;
/** Warnings kept per batch (the count is always exact). */
export const MAX_BATCH_WARNINGS = 200;
/** Problem rows named in a refusal or a job (the counts are always exact). */
export const MAX_LISTED_ROWS = 100;

const Country = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine((s) => isSupportedCountry(s), 'country must be an ISO 3166 alpha-2 code, e.g. AU, NZ, GB')
  .transform((s) => s as CountryCode);

/** `--map "Header=field"`: CSV header to contact field. */
const HeaderMap = z.record(z.string().max(256), z.enum(CONTACT_FIELDS)).refine((m) => Object.keys(m).length <= 50, 'map holds at most 50 headers');

/** `POST /rungopher/campaigns/{campaignId}/uploads`: the CSV as text and the CLI's options. */
export const UploadJobRequest = z.strictObject({
  csv: z.string().min(1, 'csv is required: the CSV text, header line first').max(MAX_UPLOAD_CSV_CHARS, `csv must be at most ${MAX_UPLOAD_CSV_CHARS} characters`),
  mode: z.enum(UPLOAD_MODES).default('live'),
  country: Country.default('AU' as CountryCode),
  map: HeaderMap.default({}),
  skipInvalid: z.boolean().default(false),
  resendUnknown: z.boolean().default(false),
  batchSize: z.number().int().min(1).max(MAX_CONTACTS_PER_UPLOAD).default(MAX_CONTACTS_PER_UPLOAD),
  /** A name for the file, shown in the job (not used for anything else). */
  file: z.string().max(256).optional(),
});
export type UploadJobRequest = z.infer<typeof UploadJobRequest>;

/** `POST /rungopher/campaigns/{campaignId}/estimate`: segments and cost, for a CSV or the campaign's SMS contents alone. */
export const EstimateRequest = z.strictObject({
  csv: z.string().max(MAX_UPLOAD_CSV_CHARS, `csv must be at most ${MAX_UPLOAD_CSV_CHARS} characters`).optional(),
  mode: z.enum(UPLOAD_MODES).default('live'),
  country: Country.default('AU' as CountryCode),
  map: HeaderMap.default({}),
});
export type EstimateRequest = z.infer<typeof EstimateRequest>;

/** `PUT /rungopher/journeys/{journeyId}/contacts/{mobile}`. */
export const JourneyUpdateBody = z.strictObject({
  fields: z.record(z.string(), z.string()),
  country: Country.default('AU' as CountryCode),
});

/** The queue message that runs (or continues) a job. */
export const UploadJobMessage = z.strictObject({ jobId: z.string().regex(/^rgu_[0-9a-f]{32}$/) });
export type UploadJobMessage = z.infer<typeof UploadJobMessage>;

export const JOB_STATES = ['queued', 'running', 'done', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * A batch's state. `claiming`: its contacts are being claimed; `sending`: written before the request
 * (a worker that stops here leaves it, and the batch becomes `unknown`, never sent again); then
 * `started`, `unknown` (the vendor may have started them: 5xx, timeout, counts that do not add up),
 * `failed` (refused, none started), `skipped` (every contact was held by another upload) or
 * `not-sent` (after a batch that failed or is unknown, the job stops).
 */
export const BATCH_STATES = ['claiming', 'sending', 'started', 'unknown', 'failed', 'skipped', 'not-sent'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** One contact of a job, with its line in the file. */
export interface JobContact {
  readonly line: number;
  readonly contact: Contact;
}

/** Where a chunk of the job's contacts starts in the list and how many it holds. */
export interface ChunkRef {
  readonly n: number;
  readonly from: number;
  readonly count: number;
}

/** The job as stored. */
export interface UploadJobRecord {
  readonly jobId: string;
  readonly campaignId: string;
  readonly campaignTitle: string;
  readonly mode: UploadMode;
  readonly state: JobState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly operator: string;
  readonly file?: string;
  readonly resendUnknown: boolean;
  readonly batchSize: number;
  readonly batchCount: number;
  readonly contacts: number;
  readonly rows: number;
  readonly invalid: number;
  readonly duplicates: number;
  readonly chunks: readonly ChunkRef[];
  /** Cost estimate for every valid contact (an upper bound: some may be held by another upload). */
  readonly estimate: { readonly totalVendor: number; readonly totalCarrier: number; readonly extraSegmentsVendor: number; readonly extraSegmentsCarrier: number };
  readonly error?: string;
}

/** One batch's outcome as stored. */
export interface BatchRecord {
  /** 1-based. */
  readonly batch: number;
  readonly state: BatchState;
  readonly size: number;
  readonly firstLine: number;
  readonly lastLine: number;
  /** Contacts this job claimed and sent (or is sending). */
  readonly sent: number;
  readonly started: number;
  /** Contacts another upload already started or is starting. */
  readonly alreadyStarted: number;
  /** Contacts an earlier upload sent with an unknown outcome (held unless `resendUnknown`). */
  readonly unknownHeld: number;
  /** Contacts the vendor skipped (named in its warnings). */
  readonly skipped: number;
  readonly warnings: readonly string[];
  readonly warningCount: number;
  readonly error?: string;
  /**
   * While `sending`: until when the worker sending it may still be at it (its batch time). A run that
   * finds the batch `sending` before then leaves it to that worker; after, the worker is gone and the
   * batch is unknown.
   */
  readonly leaseUntil?: string;
  readonly updatedAt: string;
}

export { claimKey } from './upload-claim.ts';

/**
 * Splits the contacts into chunks of at most {@link CHUNK_BYTES} of JSON each, so each chunk is one
 * DynamoDB item. Every contact is at most {@link MAX_CONTACT_BYTES} (checked when the CSV is read).
 */
export function chunkContacts(contacts: readonly CsvContact[]): { refs: ChunkRef[]; chunks: JobContact[][] } {
  const refs: ChunkRef[] = [];
  const chunks: JobContact[][] = [];
  let current: JobContact[] = [];
  let bytes = 0;
  let from = 0;
  contacts.forEach((c, i) => {
    const size = Buffer.byteLength(JSON.stringify(c), 'utf8') + 1;
    if (current.length > 0 && bytes + size > CHUNK_BYTES) {
      refs.push({ n: chunks.length, from, count: current.length });
      chunks.push(current);
      current = [];
      bytes = 0;
      from = i;
    }
    current.push({ line: c.line, contact: c.contact });
    bytes += size;
  });
  if (current.length) {
    refs.push({ n: chunks.length, from, count: current.length });
    chunks.push(current);
  }
  return { refs, chunks };
}

/** The chunks that hold contacts `[from, from + count)`. */
export function chunksFor(refs: readonly ChunkRef[], from: number, count: number): ChunkRef[] {
  return refs.filter((r) => r.from < from + count && r.from + r.count > from);
}

/** A job with its batches, as the API shows it. */
export function jobView(job: UploadJobRecord, batches: readonly BatchRecord[]) {
  const sum = (k: 'sent' | 'started' | 'alreadyStarted' | 'unknownHeld' | 'skipped'): number => batches.reduce((n, b) => n + b[k], 0);
  const done = batches.filter((b) => !['claiming', 'sending'].includes(b.state));
  const { chunks: _chunks, ...shown } = job;
  return {
    ...shown,
    progress: {
      batchesDone: done.length,
      batches: job.batchCount,
      contactsDone: done.reduce((n, b) => n + b.size, 0),
      contacts: job.contacts,
      sent: sum('sent'),
      started: sum('started'),
      alreadyStarted: sum('alreadyStarted'),
      unknownHeld: sum('unknownHeld'),
      skipped: sum('skipped'),
    },
    batches: [...batches].sort((a, b) => a.batch - b.batch),
  };
}
export type UploadJobView = ReturnType<typeof jobView>;
