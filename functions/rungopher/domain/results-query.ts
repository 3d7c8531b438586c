import * as z from 'zod';
import { ListQuery } from '#platform/list-page.ts';
import { keyString } from '#platform/validation.ts';

/** Query parameters of GET /rungopher/results. */
export const ResultsQuery = ListQuery.extend({
  campaignId: z.optional(keyString()),
  contactId: z.optional(keyString()),
  resultName: z.optional(keyString()),
  after: z.iso.datetime({ offset: true }).optional(),
})
  .refine((q) => !q.contactId || q.campaignId, { message: 'contactId needs campaignId (contact ids are per campaign)', path: ['contactId'] });
export type ResultsQuery = z.infer<typeof ResultsQuery>;

