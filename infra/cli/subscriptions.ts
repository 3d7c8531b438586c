import type { Command } from 'commander';
import { hubClient, hubUrl, type HubClient } from './hub-client.ts';
import { cell, table } from './output.ts';

/** One subscription as `GET /subscriptions` lists it. */
export interface SubscriptionRow {
  readonly id: string;
  readonly url: string;
  readonly state: string;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly lastFailure: { readonly status: string } | null;
  readonly queueDepth: number;
  readonly dlqDepth: number;
}

/** Operations of the hub that the subscription commands call (held against the declared routes). */
export const SUBSCRIPTION_HUB_OPERATIONS = ['GET /subscriptions', 'POST /subscriptions/{id}/redrive'] as const;

/** The rows as a table a person reads. */
export function subscriptionTable(rows: readonly SubscriptionRow[]): string {
  return table(
    ['id', 'state', 'last success', 'last failure', 'queued', 'DLQ', 'url'],
    rows.map((r) => [r.id, r.state, cell(r.lastSuccessAt), r.lastFailureAt ? `${r.lastFailureAt} (${r.lastFailure?.status ?? ''})` : '-', String(r.queueDepth), String(r.dlqDepth), r.url]),
  );
}

type Out = (line: string) => void;
const stdout: Out = (l) => process.stdout.write(`${l}\n`);

/**
 * `switchboard subscriptions [list|redrive ID]` against a hub's operator API (`--hub`, else `HUB_URL`,
 * else the local hub), through the one hub client.
 */
export function registerSubscriptionCommands(program: Command, out: Out = stdout, makeHub: (url: string) => HubClient = (url) => hubClient({ url })): void {
  const subs = program.command('subscriptions').description('Outbound webhook subscriptions: delivery state and DLQ redrive (needs the operator token)');
  subs
    .command('list', { isDefault: true })
    .description('Each subscription: state, last success and failure, queued and DLQ depth')
    .action(async (o: { hub?: string; json?: boolean }) => {
      const rows = await makeHub(hubUrl(o.hub)).pages<SubscriptionRow>('/subscriptions', { limit: 1000 });
      if (o.json) return out(JSON.stringify(rows, null, 2));
      out(rows.length ? subscriptionTable(rows) : 'No subscriptions (set HUB_SUBSCRIPTIONS locally, the subscriptions context on AWS)');
    });
  subs
    .command('redrive <id>')
    .description("Moves a subscription's DLQ back to its queue, so its events are delivered again")
    .action(async (id: string, o: { hub?: string; json?: boolean }) => {
      const r = await makeHub(hubUrl(o.hub)).request<Record<string, unknown>>('POST', `/subscriptions/${encodeURIComponent(id)}/redrive`);
      if (o.json) return out(JSON.stringify(r, null, 2));
      out(`${id}: moved ${cell(r.moved)} event(s) from its DLQ back to its queue`);
    });
}
