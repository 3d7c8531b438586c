import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { HUB_CLIENT_CONFIG, hubClient } from '../aws-client.ts';
import { requireEnv } from '../config.ts';
import { backoffDelay } from '../vendor-http.ts';
import { EVENT_BUS_ENV } from './bus.ts';
import { EVENTBRIDGE_ENTRY_MAX_BYTES, entryBytes, sourceOf, type HubEvent } from './event.ts';

/**
 * Port: where stored changes are announced. Resolves only once every event was accepted by the bus;
 * throws {@link PublishError} otherwise, so the record that stored the change fails and its
 * redelivery stores again (idempotently) and publishes again, with the same event ids.
 */
export interface EventPublisher {
  publish(events: readonly HubEvent[]): Promise<void>;
}

/** Some events were not accepted by the bus after every attempt. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
}

/** PutEvents takes at most 10 entries and 256 KB per request. */
const MAX_ENTRIES = 10;
/** Longest a PutEvents request waits for the one in flight, to go with others (see {@link coalescing}). */
export const COALESCE_HOLD_MS = 20;
/** Attempts of one request's failed entries (throttling, internal failures, transport errors). */
const ATTEMPTS = 4;

/** The PutEvents transport: a client's `send`, or a fake in tests. */
export type PutEvents = (command: PutEventsCommand) => Promise<{ FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] }>;

let client: EventBridgeClient | undefined;
// Created on first use: a function that never publishes does not open a connection (AWS_ENDPOINT_URL_EVENTBRIDGE
// points it at the local router on one machine, as AWS_ENDPOINT_URL_SQS points SQS at fauxqs).
const clientSend: PutEvents = (command) => (client ??= hubClient(new EventBridgeClient({ ...HUB_CLIENT_CONFIG }))).send(command);

interface Waiting {
  readonly entries: readonly PutEventsRequestEntry[];
  readonly bytes: number;
  readonly command: PutEventsCommand;
  resolve(out: Awaited<ReturnType<PutEvents>>): void;
  reject(err: unknown): void;
}

/**
 * PutEvents requests that wait for one another, sent as fewer requests: a batch's records publish side
 * by side, each with a request of its own (usually two entries), and EventBridge takes ten entries a
 * request. A request is sent at once when none is in flight (in the next turn of the event loop, with
 * any made in the same turn); those made while one is in flight wait for it, for at most
 * {@link COALESCE_HOLD_MS}, and go together, packed whole, in order, into requests of at most 10
 * entries and 256 KB. Each caller gets its own part of the answer (its entries' results and their
 * failed count), or the error of the request that carried it (a request that fails fails every caller
 * it carried, and each retries its own entries). A slow request holds the others for the hold at most,
 * not for its own time; a lone request is sent as it was made.
 */
export function coalescing(send: PutEvents, holdMs = COALESCE_HOLD_MS): PutEvents {
  let waiting: Waiting[] = [];
  let busy = false;
  const answer = async (group: readonly Waiting[]): Promise<void> => {
    const only = group.length === 1 ? group[0] : undefined;
    try {
      const out = await send(only ? only.command : new PutEventsCommand({ Entries: group.flatMap((w) => w.entries) }));
      if (only) return only.resolve(out);
      const results = out.Entries ?? [];
      const total = group.reduce((n, w) => n + w.entries.length, 0);
      // An answer that reports failures without saying which entries: none is known to be accepted.
      if (out.FailedEntryCount && results.length !== total) throw new Error(`PutEvents answered ${out.FailedEntryCount} failed entries of ${total} with ${results.length} results`);
      let at = 0;
      for (const w of group) {
        const mine = results.slice(at, at + w.entries.length);
        at += w.entries.length;
        w.resolve({ FailedEntryCount: mine.filter((r) => r.ErrorCode).length, Entries: mine });
      }
    } catch (err) {
      for (const w of group) w.reject(err);
    }
  };
  const flush = async (): Promise<void> => {
    busy = true;
    while (waiting.length) {
      const groups = packed(waiting, (w) => w.entries.length, (w) => w.bytes);
      waiting = [];
      // The next wave goes when this one is answered, or after the hold: a stalled request (the SDK's
      // retries can take seconds) holds its own callers, not everyone's.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(groups.map(answer)), new Promise<void>((r) => (timer = setTimeout(r, holdMs)))]);
      clearTimeout(timer);
    }
    busy = false;
  };
  return (command) =>
    new Promise((resolve, reject) => {
      const entries = command.input.Entries ?? [];
      waiting.push({ entries, bytes: entries.reduce((n, e) => n + sizeOf(e), 0), command, resolve, reject });
      if (!busy) {
        busy = true;
        setImmediate(() => void flush());
      }
    });
}

const defaultSend = coalescing(clientSend);

/**
 * Publishes to an EventBridge bus: `source` `switchboard.<vendor>`, `detail-type` the event type,
 * `detail` the event. Entries are sent in requests of at most 10 entries and 256 KB; entries the bus
 * refused (FailedEntryCount) and requests that failed are retried with full-jitter back-off, then
 * {@link PublishError}. The function's own client sends through {@link coalescing}, so records
 * publishing side by side share requests.
 */
export function eventBridgePublisher(busName: string, options: { readonly send?: PutEvents; readonly baseMs?: number; readonly sleep?: (ms: number) => Promise<void> } = {}): EventPublisher {
  const send = options.send ?? defaultSend;
  const baseMs = options.baseMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    async publish(events) {
      const entries = events.map((e) => toEntry(busName, e));
      for (const batch of batches(entries)) {
        let pending = batch;
        for (let attempt = 0; pending.length; attempt++) {
          let failed: PutEventsRequestEntry[];
          let reason: string;
          try {
            const out = await send(new PutEventsCommand({ Entries: pending }));
            const results = out.Entries ?? [];
            // Failures reported without saying which entries: none is known to be accepted.
            const unknown = Boolean(out.FailedEntryCount) && results.length !== pending.length;
            failed = unknown ? pending : out.FailedEntryCount ? pending.filter((_, i) => results[i]?.ErrorCode) : [];
            reason = unknown ? `${out.FailedEntryCount} failed entries reported with ${results.length} results for ${pending.length}` : (results.find((r) => r.ErrorCode)?.ErrorCode ?? '');
          } catch (err) {
            failed = pending;
            reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          }
          if (!failed.length) break;
          if (attempt + 1 >= ATTEMPTS) throw new PublishError(`${failed.length} event(s) not accepted by bus ${busName} after ${ATTEMPTS} attempts: ${reason}`);
          await sleep(backoffDelay(attempt, baseMs, 2_000));
          pending = failed;
        }
      }
    },
  };
}

/** The PutEvents entry of an event. */
export function toEntry(busName: string, event: HubEvent): PutEventsRequestEntry {
  return { EventBusName: busName, Source: sourceOf(event.type), DetailType: event.type, Time: new Date(event.time), Detail: JSON.stringify(event), Resources: [] };
}

function sizeOf(e: PutEventsRequestEntry): number {
  return entryBytes(e.Source ?? '', e.DetailType ?? '', e.Detail ?? '');
}

/** Requests of at most 10 entries and 256 KB together. */
function batches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  return packed(entries, () => 1, sizeOf);
}

/**
 * Items in order, in groups of at most 10 entries and 256 KB together (an item of `entries` entries and
 * `bytes` bytes is never split; one over the limits goes alone).
 */
function packed<T>(items: readonly T[], entries: (t: T) => number, bytes: (t: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let n = 0;
  let size = 0;
  for (const item of items) {
    const e = entries(item);
    const b = bytes(item);
    if (current.length && (n + e > MAX_ENTRIES || size + b > EVENTBRIDGE_ENTRY_MAX_BYTES)) {
      out.push(current);
      current = [];
      n = 0;
      size = 0;
    }
    current.push(item);
    n += e;
    size += b;
  }
  if (current.length) out.push(current);
  return out;
}

let fromEnv: EventPublisher | undefined;

/** The publisher of this function: the bus named by `HUB_EVENT_BUS` (a function the topology lets publish has it). */
export function eventPublisher(): EventPublisher {
  return (fromEnv ??= eventBridgePublisher(requireEnv(EVENT_BUS_ENV)));
}
