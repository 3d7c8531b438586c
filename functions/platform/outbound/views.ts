import * as z from 'zod';
import { pageSchema } from '../list-page.ts';

/**
 * What the subscriptions' operator routes answer, for the handler and the API document alike (this
 * module makes no AWS client, so the document can load it).
 */

/** One subscription as `GET /subscriptions` shows it (its schema goes in the API document). */
export const SubscriptionView = z
  .object({
    id: z.string(),
    url: z.string().meta({ description: "The URL without its query (which may carry the subscriber's own token)." }),
    events: z.array(z.string()),
    state: z.enum(['healthy', 'failing', 'idle']).meta({ description: '`healthy`: the last attempt delivered; `failing`: the last attempt failed; `idle`: nothing yet.' }),
    lastSuccessAt: z.string().nullable(),
    lastFailureAt: z.string().nullable(),
    lastFailure: z.object({ status: z.string(), eventId: z.string() }).nullable(),
    queueDepth: z.number().int().meta({ description: 'Events waiting: visible, in flight, or delayed for a retry.' }),
    dlqDepth: z.number().int(),
  })
  .meta({ id: 'Subscription' });
export type SubscriptionView = z.infer<typeof SubscriptionView>;

/** The page `GET /subscriptions` answers. */
export const SubscriptionPage = pageSchema(SubscriptionView, 'SubscriptionPage');
/** What `POST /subscriptions/{id}/redrive` answers. */
export const RedriveOutcome = z
  .object({
    id: z.string(),
    moved: z.number().int().meta({ description: 'Messages moved from the DLQ back to the queue in this call.' }),
    dlqDepth: z.number().int().meta({ description: 'What is left in the DLQ (call again while it is not 0: one call moves at most 10,000, within the time it has).' }),
  })
  .meta({ id: 'SubscriptionRedrive' });
export type RedriveOutcome = z.infer<typeof RedriveOutcome>;
