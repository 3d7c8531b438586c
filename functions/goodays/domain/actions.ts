import * as z from 'zod';
import type { Issue } from '#platform/errors.ts';
import { JsonString } from '#platform/json.ts';
import { issuesOf } from '#platform/validation.ts';
import type { ActionKind } from './events.ts';

/**
 * The five Goodays actions as the hub's operators send them (`POST /goodays/responses/{id}/{action}`)
 * and as Goodays receives them (`PUT /responses/{id}/{action}`). Operators are named by e-mail; the
 * hub resolves the Goodays user id before sending.
 */

/** Goodays' remark types; `Message` is the documented fallback for sources that cannot be typed. */
export const REMARK_TYPES = ['Praise', 'Question', 'Idea', 'Problem', 'Message'] as const;
export const RemarkType = z.enum(REMARK_TYPES);
export type RemarkType = z.infer<typeof RemarkType>;

/** Longest text accepted in a reply or message (an assumption; Goodays documents no limit). */
export const MAX_CONTENT_CHARS = 5000;
/** Longest private note of a call (an assumption). */
export const MAX_NOTE_CHARS = 2000;

const Content = z
  .string()
  .max(MAX_CONTENT_CHARS)
  .refine((s) => s.trim().length > 0, 'content must not be empty');
const OperatorEmail = z.email('user must be the operator\'s e-mail address').max(254);

export const ReplyBody = z.strictObject({ content: Content, user: OperatorEmail.optional(), remark_type: RemarkType.optional() });
export const MessageBody = z.strictObject({ content: Content, user: OperatorEmail, remark_type: RemarkType.optional() });
export const CallBody = z.strictObject({
  user: OperatorEmail.optional(),
  rating: z.number().int().min(0).max(5).optional(),
  note: z.string().max(MAX_NOTE_CHARS).optional(),
});
export const CloseBody = z.strictObject({ user: OperatorEmail.optional(), remark_type: RemarkType.optional() });
export const SpamBody = z.strictObject({ user: OperatorEmail.optional() });

/** Operator body per action. */
export const ACTION_BODIES = { reply: ReplyBody, message: MessageBody, call: CallBody, close: CloseBody, spam: SpamBody } as const;

export type ActionBody = z.infer<(typeof ACTION_BODIES)[ActionKind]>;

/** Actions that take `remark_type`, and need it when the response did not come through Goodays. */
export const REMARK_ACTIONS: readonly ActionKind[] = ['reply', 'message', 'close'];

/**
 * Sources collected by Goodays itself, for which `remark_type` is optional. Anything else (Google
 * reviews, ...) needs one. Goodays does not publish the list; this default is an assumption and is
 * configurable with GOODAYS_NATIVE_SOURCES.
 */
export const DEFAULT_NATIVE_SOURCES: readonly string[] = ['goodays', 'email', 'sms', 'web', 'link', 'qrcode', 'kiosk', 'tablet', 'app', 'widget', 'import', 'api'];

/** True when Goodays requires `remark_type` for this action on a response from `source`. */
export function remarkTypeRequired(action: ActionKind, source: string | null, nativeSources: readonly string[] = DEFAULT_NATIVE_SOURCES): boolean {
  if (!REMARK_ACTIONS.includes(action)) return false;
  if (source === null || source === '') return false;
  return !nativeSources.includes(source.toLowerCase());
}

/** The result of validating an operator's action request. */
export type ActionValidation = { readonly ok: true; readonly body: ActionBody } | { readonly ok: false; readonly issues: Issue[] };

/**
 * Validates an operator's body for `action` on a response from `source`. `input` is the parsed JSON
 * body (an empty body counts as `{}`).
 */
export function validateActionBody(action: ActionKind, input: unknown, source: string | null, nativeSources?: readonly string[]): ActionValidation {
  const parsed = ACTION_BODIES[action].safeParse(input ?? {});
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error, 'body') };
  const body: ActionBody = parsed.data;
  if (remarkTypeRequired(action, source, nativeSources) && !('remark_type' in body && body.remark_type)) {
    return { ok: false, issues: [{ name: 'body.remark_type', detail: `required for a response from source "${source}" (one of ${REMARK_TYPES.join(', ')}; Message when it cannot be typed)` }] };
  }
  return { ok: true, body };
}

/** The operator's e-mail named in a body, if any. */
export function operatorEmail(body: ActionBody): string | undefined {
  return 'user' in body ? body.user : undefined;
}

/** The JSON Goodays receives for an action, with the operator's e-mail replaced by the Goodays user id. */
export function goodaysPayload(body: ActionBody, goodaysUserId: string | undefined): Record<string, unknown> {
  const { user: _email, ...rest } = body as Record<string, unknown>;
  return goodaysUserId === undefined ? rest : { user: goodaysUserId, ...rest };
}

/** What goes on the actions queue: only the id; the processor acts on the recorded action's state. */
export const ActionMessage = z.object({ actionId: z.string().min(1).max(100) });
export type ActionMessage = z.infer<typeof ActionMessage>;

/** An actions-queue record body: JSON text holding an {@link ActionMessage} (what the processor reads). */
export const ActionQueueMessage = JsonString(ActionMessage);
