import * as z from '../zod.ts';
import { defineEvent } from './event.ts';

/** `hub.quarantined`: a body the hub accepted as authentic but could not use was kept in the quarantine table. */
export const quarantined = defineEvent({
  type: 'hub.quarantined',
  version: 1,
  description: 'A body the hub accepted but could not use was kept in the quarantine table (never the body itself: it may hold personal data).',
  key: z.object({
    quarantineId: z.string().check(z.describe('Id of the quarantine item: vendor, stage and the SHA-256 of the body.')),
  }),
  body: z.object({
    vendor: z.string(),
    stage: z.enum(['webhook', 'processor', 'poller']),
    reason: z.string(),
    receivedAt: z.string(),
    bodyBytes: z.number().check(z.int(), z.nonnegative()),
  }),
  // The quarantine has no operator route: the item is read in the table (README "Quarantine").
  href: (key) => `quarantine/${key.quarantineId}`,
  subject: (key) => `hub:quarantine:${key.quarantineId}`,
});

/** The platform's event definitions (its topology's `eventModule`). */
export const events = [quarantined];
