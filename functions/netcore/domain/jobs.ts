import * as z from 'zod';
import { JsonString } from '#platform/json.ts';
import { ChannelIdSchema } from './channels.ts';

/**
 * A transcripts job: one bot user on one channel, a frozen window, and the page to start at. The users
 * poller sends one per user and channel; a worker that runs out of time sends the rest back as a job
 * for the same window that starts at the first page it has not read.
 */
export const TranscriptJob = z.object({
  botUserId: z.string().min(1),
  channelId: ChannelIdSchema,
  /** Window start asked for; the worker clamps it to the 3-month limit. Absent: from the stored watermark. */
  since: z.iso.datetime().optional(),
  /** Window end, frozen when the job is made so that pages do not shift under new messages. */
  until: z.iso.datetime(),
  /** First page to read: 1, or in a continuation the first page the previous worker did not read. */
  page: z.number().int().min(1).default(1),
  /** `last interacted date` that made the poller send this job. */
  lastInteractedAt: z.string().optional(),
});
export type TranscriptJob = z.infer<typeof TranscriptJob>;
export type TranscriptJobInput = z.input<typeof TranscriptJob>;

/** A transcripts job as a queue message body: JSON text holding a {@link TranscriptJob}. */
export const TranscriptJobMessage = JsonString(TranscriptJob);

/**
 * The users poller's cursor value (JSON in the cursor store). Between runs only `since` is set; while
 * a window is being read, `until` is the frozen window end, `page` the next page to read and `total`
 * the window's user count the vendor reported with the last page read (to notice users leaving it).
 */
export const UsersCursor = z.object({
  since: z.iso.datetime(),
  until: z.iso.datetime().optional(),
  page: z.number().int().min(1).optional(),
  total: z.number().int().nonnegative().optional(),
});
export type UsersCursor = z.infer<typeof UsersCursor>;
