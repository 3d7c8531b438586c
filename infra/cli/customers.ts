import type { Command } from 'commander';
import { localHubUrl } from './local-hub.ts';

/** Where the customer commands print and which hub they call (tests pass their own). */
export interface CustomerCliIo {
  readonly hubUrl: (option?: string) => string;
  readonly operatorToken: () => string;
  readonly print: (line: string) => void;
}

const defaultIo: CustomerCliIo = {
  hubUrl: localHubUrl,
  operatorToken: () => {
    const t = process.env.HUB_OPERATOR_TOKEN;
    if (!t) throw new Error('Set HUB_OPERATOR_TOKEN (npm start prints it)');
    return t;
  },
  print: (l) => console.log(l),
};

interface SubjectOptions {
  readonly phone?: string;
  readonly email?: string;
  readonly hub?: string;
}

function subjectQuery(o: SubjectOptions): URLSearchParams {
  if (!o.phone && !o.email) throw new Error('Give --phone, --email or both');
  const q = new URLSearchParams();
  if (o.phone) q.set('phone', o.phone);
  if (o.email) q.set('email', o.email);
  return q;
}

async function call(io: CustomerCliIo, url: string, method: string, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${io.operatorToken()}`, ...headers } });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

interface TimelineItem {
  readonly vendor: string;
  readonly kind: string;
  readonly label?: string;
  readonly at: string;
  readonly link: string;
}

/** `switchboard customer show|export|erase|backfill`: one person across vendors, through the operator API. */
export function registerCustomerCommands(program: Command, io: CustomerCliIo = defaultIo): void {
  const customer = program.command('customer').description('One customer across vendors: timeline, export, erasure');
  customer
    .command('show')
    .description('Print the timeline of a person, newest first')
    .option('--phone <number>', 'phone number (E.164 or national)')
    .option('--email <address>', 'e-mail address')
    .option('--hub <url>', 'hub base URL')
    .action(async (o: SubjectOptions) => {
      const q = subjectQuery(o);
      q.set('limit', '1000');
      let cursor: string | null = null;
      let n = 0;
      do {
        if (cursor) q.set('cursor', cursor);
        const page = (await call(io, `${io.hubUrl(o.hub)}/customers?${q.toString()}`, 'GET')) as { items: TimelineItem[]; nextCursor: string | null };
        for (const i of page.items) io.print(`${i.at}  ${i.vendor.padEnd(10)} ${i.kind.padEnd(19)} ${(i.label ?? '').padEnd(12)} ${i.link}`);
        n += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
      io.print(n === 0 ? 'Nothing held about this person.' : `${n} record(s).`);
    });
  customer
    .command('export')
    .description('Print everything held about a person as one JSON document')
    .option('--phone <number>')
    .option('--email <address>')
    .option('--hub <url>', 'hub base URL')
    .action(async (o: SubjectOptions) => io.print(JSON.stringify(await call(io, `${io.hubUrl(o.hub)}/customers/export?${subjectQuery(o).toString()}`, 'GET'), null, 2)));
  customer
    .command('erase')
    .description('Erase everything held about a person (repeats until complete)')
    .option('--phone <number>')
    .option('--email <address>')
    .requiredOption('--by <name>', 'who asks for it (kept in the audit record)')
    .option('--suppress', 'keep later records about the person out (needs CUSTOMER_SUPPRESSION=true on the storing functions)')
    .option('--hub <url>', 'hub base URL')
    .action(async (o: SubjectOptions & { by: string; suppress?: boolean }) => {
      const q = subjectQuery(o);
      if (o.suppress) q.set('suppress', 'true');
      for (let call_ = 0; call_ < 1000; call_++) {
        const a = (await call(io, `${io.hubUrl(o.hub)}/customers?${q.toString()}`, 'DELETE', { 'x-requested-by': o.by })) as { complete: boolean; counts: Record<string, number>; erasureId: string };
        if (a.complete) {
          io.print(`Erasure ${a.erasureId} complete: ${JSON.stringify(a.counts)}`);
          return;
        }
      }
      throw new Error('Erasure still incomplete after 1000 calls; run the command again');
    });
  customer
    .command('backfill')
    .description('Index every record stored before the customer index (idempotent; resumes from --cursor)')
    .option('--cursor <cursor>')
    .option('--hub <url>', 'hub base URL')
    .action(async (o: { cursor?: string; hub?: string }) => {
      let cursor: string | null = o.cursor ?? '';
      let scanned = 0;
      while (cursor !== null) {
        const a = (await call(io, `${io.hubUrl(o.hub)}/customers/backfill${cursor ? `?cursor=${cursor}` : ''}`, 'POST')) as { scanned: number; nextCursor: string | null };
        scanned += a.scanned;
        cursor = a.nextCursor;
        io.print(`scanned ${scanned}${cursor ? `, next --cursor ${cursor}` : ', done'}`);
      }
    });
}
