import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { HUB_CLIENT_CONFIG, hubClient } from '../aws-client.ts';
import { requireEnv } from '../config.ts';
import { backoffDelay } from '../vendor-http.ts';
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

/** Variable naming the event bus (set by the stack, and by the local runtime for its router). */
export const EVENT_BUS_ENV = 'HUB_EVENT_BUS';

/** PutEvents takes at most 10 entries and 256 KB per request. */
const MAX_ENTRIES = 10;
/** Attempts of one request's failed entries (throttling, internal failures, transport errors). */
const ATTEMPTS = 4;

/** The PutEvents transport: a client's `send`, or a fake in tests. */
export type PutEvents = (command: PutEventsCommand) => Promise<{ FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] }>;

let client: EventBridgeClient | undefined;
// Created on first use: a function that never publishes does not open a connection (AWS_ENDPOINT_URL_EVENTBRIDGE
// points it at the local router on one machine, as AWS_ENDPOINT_URL_SQS points SQS at fauxqs).
const defaultSend: PutEvents = (command) => (client ??= hubClient(new EventBridgeClient({ ...HUB_CLIENT_CONFIG }))).send(command);

/**
 * Publishes to an EventBridge bus: `source` `switchboard.<vendor>`, `detail-type` the event type,
 * `detail` the event. Entries are sent in requests of at most 10 entries and 256 KB; entries the bus
 * refused (FailedEntryCount) and requests that failed are retried with full-jitter back-off, then
 * {@link PublishError}.
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
            failed = out.FailedEntryCount ? pending.filter((_, i) => results[i]?.ErrorCode) : [];
            reason = results.find((r) => r.ErrorCode)?.ErrorCode ?? '';
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
  const out: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = sizeOf(e);
    if (current.length && (current.length >= MAX_ENTRIES || bytes + size > EVENTBRIDGE_ENTRY_MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

let fromEnv: EventPublisher | undefined;

/** The publisher of this function: the bus named by `HUB_EVENT_BUS` (a function the topology lets publish has it). */
export function eventPublisher(): EventPublisher {
  return (fromEnv ??= eventBridgePublisher(requireEnv(EVENT_BUS_ENV)));
}
