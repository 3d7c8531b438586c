import type { StatusView } from '#platform/operator-views.ts';
import { cell, table } from './output.ts';

/** `switchboard status`: the hub's `GET /status` as tables (or JSON with `--json`). */
export function statusLines(s: StatusView): string[] {
  const out: string[] = [`Switchboard status at ${s.generatedAt}`, ''];
  out.push(table(['webhook', 'last accepted'], s.webhooks.map((w) => [w.vendor, w.lastAcceptedAt ?? 'none recorded'])), '');
  out.push(
    table(
      ['schedule', 'last run', 'outcome', 'ms', 'figures'],
      s.schedules.map((r) => [
        r.name,
        r.lastRunAt ?? 'never',
        r.outcome === null ? '-' : r.outcome === 'ok' ? 'ok' : `failed: ${(r.error ?? '').slice(0, 60)}`,
        cell(r.durationMs),
        Object.entries(r.figures ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      ]),
    ),
    '',
  );
  out.push(table(['queue', 'depth', 'in flight', 'dlq depth'], s.queues.map((q) => [q.name, String(q.depth), String(q.inFlight), String(q.dlqDepth)])), '');
  out.push(`quarantine: ${s.quarantine.count} bod${s.quarantine.count === 1 ? 'y' : 'ies'} (${s.quarantine.retried} retried)`, '');
  // Older hubs answer without `attention`.
  const attention = s.attention ?? [];
  if (attention.length) {
    out.push(table(['waiting for a person', 'table', 'count', 'oldest since'], attention.map((a) => [a.reason, a.table, String(a.count), a.oldestAt ?? '-'])));
    for (const a of attention.filter((x) => x.count > 0)) out.push(`  ${a.reason}: ${a.description}`);
    out.push('');
  }
  out.push(s.streams.length ? table(['stream', 'poller', 'position', 'updated'], s.streams.map((x) => [x.name, x.poller, x.position ?? '-', x.updatedAt])) : 'streams: none yet (they appear after each poller first runs)');
  return out;
}
