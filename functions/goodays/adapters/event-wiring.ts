import { functionConfig, setting } from '#platform/config.ts';
import type { Setting } from '#platform/config.ts';
import { hubQuarantine } from '#platform/quarantine-events.ts';
import { eventPublisher } from '#platform/outbound/publisher.ts';
import { customerLinker } from '#platform/customer-index.ts';
import { dynamoEventStore, dynamoThreadStore } from './thread-store.ts';

/**
 * The Goodays event processor's configuration, apart from the other functions' (`wiring.ts`, which
 * re-exports it), so the processor's bundle loads neither the vendor client, the action store nor
 * the action bodies, and no classic zod (`npm run bench -- cold`).
 */

/**
 * An adapter over a declared resource, built once with the config that names it: a missing `TABLE_*`
 * or `QUEUE_*_URL` is named with the rest, and the adapter is made once per process.
 */
export const built = <A, T>(source: Setting<A>, make: (value: A) => T): Setting<T> => ({ read: () => make(source.read()) });
export const store = <T>(name: string, make: (table: string) => T): Setting<T> => built(setting.table(name), make);

/** `goodays-event-processor`: the foreign-record quarantine is the kit's; an unreadable event is kept here. */
export const eventProcessorConfig = functionConfig({
  events: store('goodays-events', dynamoEventStore),
  threads: store('goodays-threads', dynamoThreadStore),
  quarantine: store('quarantine', hubQuarantine),
  outbound: { read: eventPublisher },
  link: store('customer-index', customerLinker),
});
