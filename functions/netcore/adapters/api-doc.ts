import type { ApiDoc } from '#platform/api-doc.ts';
import { INTERNAL, INVALID, UNAUTHORIZED } from '#platform/api-doc.ts';
import { pageSchema } from '#platform/list-page.ts';
import { MessageView, UsageView, UserDetail, UserView } from '#netcore/domain/views.ts';
import { TranscriptsQuery, UsageQuery, UsersQuery } from '#netcore/use-cases/read-api.ts';

/** The Netcore routes for the OpenAPI document (`infra/openapi/`); no handler imports this. */

const BOT_USER = { description: "Netcore's botUserId (a phone number on WhatsApp), as the gateway decoded it.", example: '+919876543213' };

export const routes: ApiDoc = {
  'GET /netcore/users': {
    summary: 'Users by last activity, oldest first',
    description: 'All four user channels merged when `channelId` is absent.',
    query: UsersQuery,
    responses: { 200: { description: 'A page of users.', schema: pageSchema(UserView, 'NetcoreUserPage') }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'GET /netcore/users/{botUserId}': {
    summary: 'One user on each channel, with custom fields and tags',
    path: { botUserId: BOT_USER },
    responses: { 200: { description: 'The user.', schema: UserDetail }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'No such user has been synced.' }, 500: INTERNAL },
  },
  'GET /netcore/users/{botUserId}/transcripts': {
    summary: "A user's messages in time order",
    query: TranscriptsQuery,
    path: { botUserId: BOT_USER },
    responses: { 200: { description: 'A page of messages.', schema: pageSchema(MessageView, 'NetcoreMessagePage') }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'GET /netcore/usage': {
    summary: 'Monthly usage per channel and for the bot (`channelId=all`)',
    description: 'One item per channel; never paged (`nextCursor` is always null). Default month: this one.',
    query: UsageQuery,
    responses: { 200: { description: 'The usage rows.', schema: pageSchema(UsageView, 'NetcoreUsagePage') }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
};
