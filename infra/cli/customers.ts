import type { Command } from 'commander';
import { CliError, UsageError, hubClient, hubUrl, type HubClient } from './hub-client.ts';

/** Hub routes the customer commands call (held against the topology by a test). */
export const CUSTOMER_HUB_OPERATIONS = ['GET /customers', 'GET /customers/export', 'DELETE /customers', 'POST /customers/backfill'] as const;

/** What the commands need from outside; tests inject their own. */
export interface CustomerCliDeps {
  /** Builds the hub client for `--hub URL` / HUB_URL. @default {@link hubClient} with HUB_OPERATOR_TOKEN */
  readonly client?: (hub: string | undefined) => HubClient;
  /** Normal output. @default stdout */
  readonly out?: (line: string) => void;
  /** Progress of long commands. @default stderr */
  readonly err?: (line: string) => void;
}

interface SubjectOptions {
  readonly phone?: string;
  readonly email?: string;
  readonly hub?: string;
  readonly json?: boolean;
}

function subjectQuery(o: SubjectOptions): { phone?: string; email?: string } {
  if (!o.phone && !o.email) throw new UsageError('Give --phone, --email or both');
  return { ...(o.phone ? { phone: o.phone } : {}), ...(o.email ? { email: o.email } : {}) };
}

interface TimelineItem {
  readonly vendor: string;
  readonly kind: string;
  readonly label?: string;
  readonly at: string;
  readonly link: string;
}

interface ExportPart {
  readonly generatedAt: string;
  readonly subject: string[];
  readonly identifiers: string[];
  readonly index?: unknown[];
  readonly records: unknown[];
  readonly nextCursor: string | null;
}

/** Most calls one command makes to finish an erasure, an export or a backfill (each call is bounded in time on the hub). */
const MAX_CALLS = 10_000;

/** `switchboard customer show|export|erase|backfill`: one person across vendors, through the operator API. */
export function registerCustomerCommands(program: Command, deps: CustomerCliDeps = {}): void {
  const client = deps.client ?? ((hub: string | undefined) => hubClient({ url: hubUrl(hub) }));
  const out = deps.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = deps.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const customer = program.command('customer').description('One customer across vendors: timeline, export, erasure, backfill');
  customer
    .command('show')
    .description('Print the timeline of a person across vendors, newest first')
    .option('--phone <number>', 'phone number (E.164 or national)')
    .option('--email <address>', 'e-mail address')
    .action(async (o: SubjectOptions) => {
      const items = await client(o.hub).pages<TimelineItem>('/customers', { ...subjectQuery(o), limit: 1000 });
      if (o.json) return out(JSON.stringify(items, null, 2));
      for (const i of items) out(`${i.at}  ${i.vendor.padEnd(10)} ${i.kind.padEnd(19)} ${(i.label ?? '').padEnd(12)} ${i.link}`);
      out(items.length === 0 ? 'Nothing held about this person.' : `${items.length} record(s).`);
    });
  customer
    .command('export')
    .description('Print everything held about a person as one JSON document (read part by part)')
    .option('--phone <number>', 'phone number (E.164 or national)')
    .option('--email <address>', 'e-mail address')
    .action(async (o: SubjectOptions) => {
      const hub = client(o.hub);
      let cursor: string | undefined;
      let doc: Omit<ExportPart, 'nextCursor'> | undefined;
      for (let calls = 0; calls < MAX_CALLS; calls++) {
        const part = await hub.request<ExportPart>('GET', '/customers/export', { query: { ...subjectQuery(o), cursor } });
        const { nextCursor, ...rest } = part;
        doc = doc ? { ...doc, records: [...doc.records, ...rest.records] } : rest;
        if (!nextCursor) return out(JSON.stringify(doc, null, 2));
        cursor = nextCursor;
      }
      throw new CliError(`The export did not end after ${MAX_CALLS} parts`);
    });
  customer
    .command('erase')
    .description('Erase everything held about a person (calls again until complete)')
    .option('--phone <number>', 'phone number (E.164 or national)')
    .option('--email <address>', 'e-mail address')
    .requiredOption('--by <name>', 'who asks for it (kept in the audit record)')
    .option('--suppress', 'keep later records about the person out (needs CUSTOMER_SUPPRESSION=true on the storing functions)')
    .action(async (o: SubjectOptions & { by: string; suppress?: boolean }) => {
      const hub = client(o.hub);
      for (let calls = 0; calls < MAX_CALLS; calls++) {
        const a = await hub.request<{ complete: boolean; counts: Record<string, number>; erasureId: string }>('DELETE', '/customers', { query: { ...subjectQuery(o), ...(o.suppress ? { suppress: 'true' } : {}) }, raw: { body: '', headers: { 'x-requested-by': o.by } } });
        if (a.complete) {
          if (o.json) return out(JSON.stringify(a, null, 2));
          return out(`Erasure ${a.erasureId} complete: ${Object.entries(a.counts).map(([t, n]) => `${t} ${n}`).join(', ') || 'nothing held'}`);
        }
        err(`erasure ${a.erasureId} going on (${Object.values(a.counts).reduce((x, y) => x + y, 0)} items so far)`);
      }
      throw new CliError(`Erasure still incomplete after ${MAX_CALLS} calls; run the command again`);
    });
  customer
    .command('backfill')
    .description('Index every record stored before the customer index (idempotent; resumes from --cursor)')
    .option('--cursor <cursor>', 'the cursor a stopped backfill printed')
    .action(async (o: { cursor?: string; hub?: string; json?: boolean }) => {
      const hub = client(o.hub);
      let cursor: string | null = o.cursor ?? '';
      let scanned = 0;
      let linked = 0;
      for (let calls = 0; cursor !== null && calls < MAX_CALLS; calls++) {
        const a: { scanned: number; linked: number; nextCursor: string | null } = await hub.request('POST', '/customers/backfill', { query: { cursor: cursor || undefined } });
        scanned += a.scanned;
        linked += a.linked;
        cursor = a.nextCursor;
        err(`scanned ${scanned}${cursor ? `, next --cursor ${cursor}` : ', done'}`);
      }
      out(o.json ? JSON.stringify({ scanned, linked, complete: cursor === null }) : `${scanned} record(s) read, ${linked} link(s) written${cursor === null ? '' : `; go on with --cursor ${cursor}`}.`);
    });
}
