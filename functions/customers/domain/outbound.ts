import type { EventDefinition } from '#platform/outbound/event.ts';

/**
 * The customer functions publish no event: an erasure announced to subscribers would itself say whom
 * it erased, and an export is a read. (The topology module names this file as every module does.)
 */
export const events: readonly EventDefinition[] = [];
