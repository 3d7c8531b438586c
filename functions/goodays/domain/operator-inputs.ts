import * as z from 'zod';
import { ListQuery } from '#platform/list-page.ts';

/**
 * The Goodays operator routes' inputs as schemas: the use cases parse with them and the OpenAPI
 * document describes them from here (this module makes no client and no logger, so the document can
 * be built outside a function).
 */

export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 visible ASCII characters');
const StateFilter = z.string().regex(/^[a-z_]{1,32}$/, 'state is a Goodays thread state such as open, closed or pending');

/** `GET /goodays/responses?state=&limit=&cursor=`. */
export const ResponsesQuery = ListQuery.extend({ state: StateFilter.optional() });

/** `POST /goodays/actions/{actionId}/resolve`. */
export const Resolution = z.strictObject({ outcome: z.enum(['sent', 'not-sent']), note: z.string().max(2000).optional() });
