import * as z from 'zod';

/**
 * What the Rungopher operator API answers, as schemas: the use cases build these views, and the
 * OpenAPI document describes them from here.
 */

const Time = z.iso.datetime().meta({ description: 'ISO-8601, UTC.' });

/** One stored result in `GET /rungopher/results`. */
export const ResultItem = z
  .object({
    id: z.string().meta({ description: "Rungopher's result id.", example: '110' }),
    campaignId: z.string().meta({ example: '15' }),
    contactId: z.string().meta({ example: '1' }),
    resultType: z.string().meta({ example: 'boolean' }),
    resultName: z.string().meta({ example: 'accepted' }),
    timestamp: Time,
    result: z.record(z.string(), z.unknown()).meta({ description: 'The result as Rungopher sent it.' }),
    source: z.enum(['webhook', 'poller', 'replay']).meta({ description: 'How the hub first got it.' }),
    storedAt: Time,
  })
  .meta({ id: 'RungopherResult' });
export type ResultItem = z.infer<typeof ResultItem>;

const SlotValue = z
  .object({
    id: z.string(),
    resultType: z.string(),
    resultName: z.string(),
    data: z.record(z.string(), z.unknown()),
    timestamp: Time,
    context: z.string().optional(),
    truncated: z.literal(true).optional().meta({ description: 'data and context were cut to fit the view; the stored result keeps them whole.' }),
  })
  .meta({ id: 'RungopherSlotValue' });

/** `GET /rungopher/campaigns/{campaignId}/contacts/{contactId}`. */
export const ContactViewSchema = z
  .object({
    campaignId: z.string(),
    contactId: z.string(),
    results: z.record(z.string(), SlotValue).meta({ description: 'The latest result per result name.' }),
    optedOut: z.boolean(),
    cancelled: z.boolean(),
    email: z.string().optional(),
    phone: z.string().optional(),
    address: z.record(z.string(), z.unknown()).optional(),
    links: z.array(z.object({ link: z.string(), count: z.number(), lastClickedAt: Time })),
    lastResultAt: Time.optional(),
  })
  .meta({ id: 'RungopherContactView' });

/** `POST /rungopher/replay`. */
export const ReplayOutcomeSchema = z
  .object({
    replayed: z.number().int().meta({ description: 'Stored results folded into their contact views again.' }),
    skippedCount: z.number().int(),
    skipped: z.array(z.object({ id: z.string(), reason: z.string() })).meta({ description: 'The first rows whose raw JSON no longer validates, with the reason.' }),
    nextCursor: z.string().nullable().meta({ description: 'Send as `cursor` to go on; null once every row has been read.' }),
  })
  .meta({ id: 'RungopherReplayOutcome' });

/** What the webhook answers with 200. */
export const WebhookAnswer = z
  .union([
    z.looseObject({ status: z.literal('queued') }).meta({ description: "Queued, with the result's ids." }),
    z.object({ status: z.literal('quarantined'), quarantineId: z.string() }),
  ])
  .meta({ id: 'RungopherWebhookAnswer' });

export { ResultsQuery } from './results-query.ts';
