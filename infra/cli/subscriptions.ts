import type { Command } from 'commander';
import { localHubUrl } from './local-hub.ts';

/** One subscription as `GET /subscriptions` lists it. */
interface SubscriptionRow {
  readonly id: string;
  readonly url: string;
  readonly state: string;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly lastFailure: { readonly status: string } | null;
  readonly queueDepth: number;
  readonly dlqDepth: number;
}

async function operator(url: string, method: 'GET' | 'POST'): Promise<unknown> {
  const token = process.env.HUB_OPERATOR_TOKEN;
  if (!token) throw new Error('Set HUB_OPERATOR_TOKEN (npm start prints it; on AWS it is in the hub secret)');
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** The rows as a table a person reads. */
export function subscriptionTable(rows: readonly SubscriptionRow[]): string {
  const head = ['id', 'state', 'last success', 'last failure', 'queued', 'DLQ', 'url'];
  const lines = rows.map((r) => [r.id, r.state, r.lastSuccessAt ?? '-', r.lastFailureAt ? `${r.lastFailureAt} (${r.lastFailure?.status ?? ''})` : '-', String(r.queueDepth), String(r.dlqDepth), r.url]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  return [head, ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** `switchboard subscriptions [list|redrive ID]` against a hub's operator API (`--hub`, or the local hub). */
export function registerSubscriptionCommands(program: Command): void {
  const subs = program.command('subscriptions').description('Outbound webhook subscriptions: delivery state and DLQ redrive (needs HUB_OPERATOR_TOKEN)');
  subs
    .command('list', { isDefault: true })
    .description('Each subscription: state, last success and failure, queued and DLQ depth')
    .option('--hub <url>', 'hub base URL (the ApiUrl output on AWS)')
    .option('--json', 'print the API answer as JSON')
    .action(async (o: { hub?: string; json?: boolean }) => {
      const rows: SubscriptionRow[] = [];
      let cursor: string | null = null;
      do {
        const page = (await operator(`${localHubUrl(o.hub)}/subscriptions?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, 'GET')) as { items: SubscriptionRow[]; nextCursor: string | null };
        rows.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      console.log(o.json ? JSON.stringify(rows, null, 2) : rows.length ? subscriptionTable(rows) : 'No subscriptions (set HUB_SUBSCRIPTIONS locally, the subscriptions context on AWS)');
    });
  subs
    .command('redrive <id>')
    .description("Moves a subscription's DLQ back to its queue, so its events are delivered again")
    .option('--hub <url>', 'hub base URL (the ApiUrl output on AWS)')
    .action(async (id: string, o: { hub?: string }) => {
      console.log(JSON.stringify(await operator(`${localHubUrl(o.hub)}/subscriptions/${encodeURIComponent(id)}/redrive`, 'POST'), null, 2));
    });
}
