import * as z from 'zod';

/**
 * Responses of the Netcore Bot Open API (document "Bot Open API 1.0.0"), one schema each. Objects are
 * loose so that fields the document does not list are kept, not stripped.
 */

/**
 * Login response. The document names the expiry `expireAt`; servers have been seen sending
 * `expiresAt`. Either may be an ISO date, epoch seconds or epoch milliseconds.
 */
export const LoginResponse = z.looseObject({
  authToken: z.string().min(1),
  expireAt: z.union([z.string(), z.number()]).nullish(),
  expiresAt: z.union([z.string(), z.number()]).nullish(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

/** Epoch ms of a login response's expiry, or undefined when neither key holds a usable time. */
export function loginExpiryMs(res: LoginResponse): number | undefined {
  for (const v of [res.expireAt, res.expiresAt]) {
    const ms = toEpochMs(v);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

function toEpochMs(v: string | number | null | undefined): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  // Ten-digit numbers are seconds, thirteen-digit ones milliseconds.
  if (Number.isFinite(n)) return n < 1e12 ? n * 1000 : n;
  const parsed = Date.parse(String(v));
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Usage for one month (and channel, when asked for one). */
export const UsageResponse = z.looseObject({
  totalMessages: z.coerce.number().int().nonnegative(),
  totalUsers: z.coerce.number().int().nonnegative(),
});
export type UsageResponse = z.infer<typeof UsageResponse>;

/** One row of the users list; field names with spaces are the vendor's. */
export const NetcoreUser = z.looseObject({
  userId: z.string().min(1),
  channelName: z.string().nullish(),
  userName: z.string().nullish(),
  createdDate: z.string().nullish(),
  'first interacted date': z.string().nullish(),
  'last interacted date': z.string().nullish(),
});
export type NetcoreUser = z.infer<typeof NetcoreUser>;

/** `hasNextPage` is an integer in the document's sample and a boolean in paginators; both are read. */
const Flag = z.union([z.boolean(), z.number(), z.enum(['true', 'false', '0', '1'])]).transform((v) => v === true || v === 1 || v === 'true' || v === '1');

/**
 * A users page. A row without a `userId` cannot be stored or followed up, but must not stop the rows
 * beside it: such rows are counted in `rejected` (with the first issues) instead of failing the page.
 */
export const UsersPage = z
  .looseObject({
    users: z.array(z.unknown()),
    page: z.coerce.number().int().nonnegative().nullish(),
    pages: z.coerce.number().int().nonnegative().nullish(),
    total: z.coerce.number().int().nonnegative().nullish(),
    limit: z.coerce.number().int().nonnegative().nullish(),
    hasNextPage: Flag.nullish(),
  })
  .transform((page) => {
    const users: NetcoreUser[] = [];
    const issues: string[] = [];
    page.users.forEach((row, i) => {
      const parsed = NetcoreUser.safeParse(row);
      if (parsed.success) users.push(parsed.data);
      else issues.push(`users[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(row)'} ${x.message}`).join('; ')}`);
    });
    return { ...page, users, rejected: issues.length, rejectedIssues: issues.slice(0, 5) };
  });
export type UsersPage = z.infer<typeof UsersPage>;

/**
 * One user's details. The document has no schema for this endpoint; publicly it returns custom fields
 * and tags. Anything else is kept.
 */
export const UserDetails = z.looseObject({
  customFields: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(z.unknown()).nullish(),
});
export type UserDetails = z.infer<typeof UserDetails>;

/** Some servers wrap the details in `botUser` or `data`; this reads any of the three. */
export const UserDetailsResponse = z
  .union([z.looseObject({ botUser: UserDetails }), z.looseObject({ data: UserDetails }), UserDetails])
  .transform((v): UserDetails => ('botUser' in v && v.botUser ? (v.botUser as UserDetails) : 'data' in v && v.data ? (v.data as UserDetails) : (v as UserDetails)));

/** A transcripts page. Items stay `unknown` here; `parseTranscriptItem` types them one by one. */
export const TranscriptsPage = z.looseObject({
  botUser: z.looseObject({ customFields: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  transcripts: z.array(z.unknown()),
  paginationDetails: z
    .looseObject({
      page: z.coerce.number().int().nonnegative().nullish(),
      pages: z.coerce.number().int().nonnegative().nullish(),
      total: z.coerce.number().int().nonnegative().nullish(),
      limit: z.coerce.number().int().nonnegative().nullish(),
    })
    .nullish(),
});
export type TranscriptsPage = z.infer<typeof TranscriptsPage>;

/** Transcripts page size bounds (document: `limit` integer [25 .. 1000]). */
export const TRANSCRIPTS_LIMIT = { min: 25, max: 1000 } as const;
/** Users page size bounds: the document says "> 25"; 1000 is the largest the hub assumes a server allows. */
export const USERS_LIMIT = { min: 25, max: 1000 } as const;

/** Whether a users page says more follow; without `hasNextPage`, `page < pages`, else a full page. */
export function usersHasNext(page: UsersPage, requestedPage: number, limit: number): boolean {
  if (page.hasNextPage !== undefined && page.hasNextPage !== null) return page.hasNextPage;
  if (page.pages !== undefined && page.pages !== null) return requestedPage < page.pages;
  return page.users.length >= limit;
}

/** Whether a transcripts page says more follow: `page < pages`, else a full page. */
export function transcriptsHasNext(page: TranscriptsPage, requestedPage: number, limit: number): boolean {
  const pages = page.paginationDetails?.pages;
  if (pages !== undefined && pages !== null) return requestedPage < pages;
  return page.transcripts.length >= limit;
}

/** The instant `months` calendar months before `now` (UTC), clamping the day to the month's length. */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * The earliest `startDate` the transcripts endpoint accepts at `now`: three months back, plus a margin
 * so that a request built now is still inside the limit when the server checks it.
 */
export function earliestTranscriptStart(now: Date, marginMs: number): Date {
  return new Date(monthsBefore(now, 3).getTime() + marginMs);
}

/** `YYYY-MM` of a date in UTC. */
export function monthOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** `YYYY-MM` of the month before `month`. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return monthOf(new Date(Date.UTC(y, m - 2, 1)));
}

/** A `YYYY-MM` month. */
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM');
