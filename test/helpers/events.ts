import type { HubEvent } from '#platform/outbound/event.ts';
import type { EventPublisher } from '#platform/outbound/publisher.ts';

/** A publisher that keeps what it was given (use cases' tests); `failNext` makes the next publishes throw. */
export function recordingPublisher(): EventPublisher & { readonly events: HubEvent[]; failNext(times?: number): void } {
  const events: HubEvent[] = [];
  let failures = 0;
  return {
    events,
    failNext(times = 1) {
      failures = times;
    },
    async publish(batch) {
      if (failures > 0) {
        failures--;
        throw new Error('publish failed (test)');
      }
      events.push(...batch);
    },
  };
}
