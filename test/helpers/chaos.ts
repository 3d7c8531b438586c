import type { StartedHub } from '#test/helpers/npm-start.ts';
import { drainStored, queuedMessages, spawnHub } from '#test/helpers/npm-start.ts';
import { makeResult } from '#test/rungopher/samples.ts';

const QUEUE = 'switchboard-rungopher-results';

/** One fault the harness injected: what, when (ms from the run's start), and how many requests it hit. */
export interface Fault {
  readonly kind: string;
  readonly startMs: number;
  endMs: number;
  /** Requests that got no answer or a 5xx while it lasted. */
  requestsHit: number;
  /** Messages fauxqs held for the results queue right after the kill (answered, not yet stored and deleted). */
  readonly inFlightAtKill: number;
}

/** What a fault run saw. */
export interface ChaosFigures {
  readonly webhooks: number;
  readonly sends: number;
  readonly faults: readonly Fault[];
  /** Distinct ids answered 200 at least once. */
  readonly acknowledged: number;
  /** Distinct ids stored once the last hub drained. */
  readonly stored: number;
  /** Rows in the results table (equal to `stored` when nothing is stored twice). */
  readonly storedRows: number;
  /** Acknowledged, never stored. */
  readonly lost: number;
  /** Ids with more than one row. */
  readonly storedTwice: number;
  /** Answers >= 500 (all of them to valid input: every body here is valid). */
  readonly answered5xx: number;
  /** Distinct ids that got a 5xx, and of those how many were resent until a 200 and then stored. */
  readonly ids5xx: number;
  readonly ids5xxResentAndStored: number;
  /** Requests that got no answer (the kills), each resent as Rungopher would. */
  readonly noAnswer: number;
  /** Ids never answered 200 after every resend (must be 0). */
  readonly neverAcknowledged: number;
  readonly drainMs: number;
  readonly totalMs: number;
}

/** A deterministic shuffle (mulberry32), so a run can be repeated. */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * The fault run: `webhooks` distinct Rungopher results, each sent 1–3 times in shuffled order at
 * `concurrency` into `npm start` on `dataDir`. After a third were answered 200 the whole hub process
 * group gets SIGKILL and is restarted on the same folder; with `kills` >= 2 the restarted hub is killed
 * again as soon as it is up (and restarted). A request with no answer or a non-200 is resent (bounded),
 * as Rungopher does. Then it waits (at most `drainMs`) until every acknowledged id is stored.
 * Returns the figures and the last hub (the caller stops it).
 */
export async function chaosRun(
  dataDir: string,
  opts: { webhooks: number; kills: number; concurrency?: number; idBase?: number; seed?: number; drainMs?: number; log?: (line: string) => void },
): Promise<{ figures: ChaosFigures; hub: StartedHub }> {
  const t0 = Date.now();
  const at = (): number => Date.now() - t0;
  const log = opts.log ?? ((): void => undefined);
  const idBase = opts.idBase ?? 800_000;
  const concurrency = opts.concurrency ?? 32;
  const seed = opts.seed ?? 9;
  // Each id 1–3 times, all copies shuffled together.
  const sends: number[] = [];
  for (let i = 0; i < opts.webhooks; i++) for (let c = 0; c <= (i * 7 + seed) % 3; c++) sends.push(idBase + i);
  const pending = shuffle(sends, seed);
  const totalSends = pending.length;
  const body = (id: number): string => JSON.stringify(makeResult({ id, contactId: `chaos-${id % 97}`, resultName: `q${id % 7}` }));

  let hub = await spawnHub(dataDir);
  let up = true;
  const faults: Fault[] = [];
  let open: Fault | undefined;
  const acknowledged = new Set<number>();
  const got5xx = new Set<number>();
  let answered5xx = 0;
  let noAnswer = 0;
  let attempts = 0;
  const maxAttempts = totalSends * 4 + 10_000;

  const sender = async (): Promise<void> => {
    for (;;) {
      const id = pending.pop();
      if (id === undefined) return;
      if (++attempts > maxAttempts) return;
      while (!up) await new Promise((r) => setTimeout(r, 20));
      let status = 0;
      try {
        const res = await fetch(`${hub.url}/webhooks/rungopher/${hub.webhookToken}`, { method: 'POST', body: body(id), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(30_000) });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        noAnswer++;
      }
      // An answer that came back after the kill began does not count: the kill may have raced it.
      if (status === 200 && up) acknowledged.add(id);
      else {
        if (status >= 500) {
          answered5xx++;
          got5xx.add(id);
        }
        if (status !== 200 && open) open.requestsHit++;
        if (status !== 200 || !up) pending.unshift(id); // resent later, as Rungopher does for anything but a 200
      }
    }
  };

  const kill = async (kind: string): Promise<void> => {
    up = false;
    await hub.kill('SIGKILL');
    const fault: Fault = { kind, startMs: at(), endMs: 0, requestsHit: 0, inFlightAtKill: queuedMessages(dataDir, QUEUE) };
    open = fault;
    faults.push(fault);
    log(`fault ${kind} at ${fault.startMs} ms: ${fault.inFlightAtKill} messages in flight, ${acknowledged.size} acknowledged`);
  };
  const restart = async (): Promise<void> => {
    hub = await spawnHub(dataDir);
    if (open) open.endMs = at();
    log(`restarted at ${at()} ms`);
  };

  const senders = Array.from({ length: concurrency }, () => sender());
  const faultsDone = (async (): Promise<void> => {
    if (opts.kills < 1) return;
    const until = Date.now() + 300_000;
    while (acknowledged.size < Math.floor(opts.webhooks / 3) && Date.now() < until && pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    await kill('SIGKILL under load');
    await restart();
    for (let k = 2; k <= opts.kills; k++) {
      // Open the gate briefly so requests reach the freshly started hub, then kill it right away.
      up = true;
      open = undefined;
      await new Promise((r) => setTimeout(r, 200));
      await kill('SIGKILL right after restart');
      await restart();
    }
    up = true;
    open = undefined;
  })();
  await faultsDone;
  await Promise.all(senders);
  const sentMs = at();
  log(`all sends answered at ${sentMs} ms`);

  const drainUntil = Date.now() + (opts.drainMs ?? 300_000);
  const { ids, have, counts } = await drainStored(hub.dynamoPort, acknowledged, drainUntil);
  return {
    hub,
    figures: {
      webhooks: opts.webhooks,
      sends: totalSends,
      faults,
      acknowledged: acknowledged.size,
      stored: have.size,
      storedRows: ids.length,
      lost: [...acknowledged].filter((id) => !have.has(id)).length,
      storedTwice: [...counts.values()].filter((c) => c > 1).length,
      answered5xx,
      ids5xx: got5xx.size,
      ids5xxResentAndStored: [...got5xx].filter((id) => acknowledged.has(id) && have.has(id)).length,
      noAnswer,
      neverAcknowledged: opts.webhooks - acknowledged.size,
      drainMs: at() - sentMs,
      totalMs: at(),
    },
  };
}
