import type { EventPublisher } from '#platform/outbound/publisher.ts';
import { settledEvent } from '#goodays/domain/outbound.ts';
import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { ActionMessage } from '#goodays/domain/actions.ts';
import { namedUserId, operatorEmail, validateActionBody } from '#goodays/domain/actions.ts';
import type { ActionKind } from '#goodays/domain/events.ts';
import { ActionKind as ActionKindSchema, PROCESSING_ACTIONS, ResponseId } from '#goodays/domain/events.ts';
import type { Thread } from '#goodays/domain/thread.ts';
import type { ResponseSummary } from '#goodays/domain/views.ts';
import { allowedActions, canonicalJson, claimKeyOf, latestCustomerMessage } from '#goodays/domain/thread.ts';
import { ConflictError, NotFoundError, ValidationError } from '#platform/errors.ts';
import { logger } from '#platform/observability.ts';
import { parseJson } from '#platform/json.ts';
import type { Page } from '#platform/list-page.ts';
import { sizedPage } from '#platform/list-page.ts';
import { utcTime } from '#platform/time.ts';
import { parseInput, pathId, requireWellFormed } from '#platform/validation.ts';
import { IdempotencyKey, Resolution, ResponsesQuery } from '#goodays/domain/operator-inputs.ts';
import type { ActionRecord, ActionStore, QueuePort, ThreadStore } from './ports.ts';

export { IdempotencyKey, Resolution, ResponsesQuery } from '#goodays/domain/operator-inputs.ts';
import { releaseClaim } from './actions.ts';
import { markHandled, recordHubAction, summaryOf } from './threads.ts';

/** Dependencies of the operator use cases. */
export interface OperatorDeps {
  readonly threads: ThreadStore;
  readonly actions: ActionStore;
  readonly queue: QueuePort<ActionMessage>;
  /** Sources for which remark_type is optional (GOODAYS_NATIVE_SOURCES). */
  readonly nativeSources?: readonly string[];
  readonly now?: () => Date;
}

/** An action as the operator API shows it (internal tokens left out). */
export type ActionView = Omit<ActionRecord, 'sendToken' | 'sendingUntil' | 'sendingMessageId' | 'fingerprint'> & { readonly needsDecision: boolean };

export function actionView(record: ActionRecord): ActionView {
  const { sendToken: _s, sendingUntil: _u, sendingMessageId: _m, fingerprint: _f, ...rest } = record;
  return { ...rest, needsDecision: record.state === 'unknown' };
}

const ActionId = z.string().regex(/^gda_[0-9a-f]{32}$/, 'not an action id');

/** One named value from outside (a path segment, a header): a 400 whose issues name it, as `what: why`. */
function field<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
  return parseInput(z.object({ [what]: schema }), { [what]: value }, `Invalid ${what}`)[what] as T;
}


/** `GET /goodays/responses?state=&limit=&cursor=`. */
export async function listResponses(query: Record<string, string>, deps: Pick<OperatorDeps, 'threads'>): Promise<Page<ResponseSummary>> {
  const { state, limit, cursor } = parseInput(ResponsesQuery, query, 'Invalid query');
  const page = await deps.threads.list({ state, limit, cursor });
  return sizedPage(
    page.items.map((r) => ({
      responseId: r.responseId,
      state: r.thread.state,
      source: r.thread.source,
      offeredActions: [...r.thread.offeredActions],
      latestEventType: r.thread.latestEventType,
      latestEventReceivedAt: r.thread.latestEventReceivedAt,
      awaiting: r.awaiting,
      messages: r.thread.messages.length,
    })),
    page.cursor ?? null,
    page.cursorAfter,
  );
}

/** `GET /goodays/responses/{id}`: the thread, the actions allowed now, and the action history. */
export async function getResponse(id: string, deps: Pick<OperatorDeps, 'threads' | 'actions'>) {
  const responseId = pathId(id, 'id', ResponseId);
  const record = await deps.threads.get(responseId);
  if (!record) throw new NotFoundError(`No Goodays response ${responseId} has been received`);
  const history = await deps.actions.listForResponse(responseId);
  return {
    // Goodays writes its times with offsets; the API shows every time in UTC (the response snapshot stays as Goodays sent it).
    thread: { ...record.thread, messages: record.thread.messages.map((m) => ({ ...m, createdAt: utcTime(m.createdAt) })) },
    allowedActions: allowedActions(record.thread, history),
    awaiting: record.awaiting,
    lastHandledAt: record.lastHandledAt ?? null,
    actions: history.map(actionView),
    needsDecision: history.filter((a) => a.state === 'unknown').map((a) => a.actionId),
  };
}

/** `GET /goodays/actions/{actionId}`. */
export async function getAction(id: string, deps: Pick<OperatorDeps, 'actions'>): Promise<ActionView> {
  const actionId = pathId(id, 'actionId', ActionId);
  const record = await deps.actions.get(actionId);
  if (!record) throw new NotFoundError(`No action ${actionId}`);
  return actionView(record);
}

/** A request to act on a response. */
export interface ActionRequest {
  readonly responseId: string;
  readonly action: string;
  /** The raw JSON body; empty means `{}`. */
  readonly body: string | undefined;
  readonly idempotencyKey: string | undefined;
}

/**
 * `POST /goodays/responses/{id}/{action}`: validates, checks the thread allows it, records the
 * action and queues it. The same Idempotency-Key gives the same action id and no second action.
 * Processing actions claim the response for its latest event with a conditional write, so two
 * operators cannot both reply.
 * @throws ValidationError (400), NotFoundError (404), ConflictError (409)
 */
export async function requestAction(req: ActionRequest, deps: OperatorDeps): Promise<{ view: ActionView; replayed: boolean }> {
  const responseId = pathId(req.responseId, 'id', ResponseId);
  const action: ActionKind = pathId(req.action, 'action', ActionKindSchema);
  const idempotencyKey = req.idempotencyKey === undefined ? undefined : field('Idempotency-Key', IdempotencyKey, req.idempotencyKey);
  let input: unknown = {};
  if (req.body !== undefined && req.body.trim() !== '') {
    const parsed = parseJson(req.body);
    if (!parsed.ok) throw new ValidationError('Body is not JSON', [{ name: 'body', detail: 'send a JSON object' }]);
    input = parsed.value;
  }
  requireWellFormed(input);
  const threadRecord = await deps.threads.get(responseId);
  if (!threadRecord) throw new NotFoundError(`No Goodays response ${responseId} has been received`);
  const thread: Thread = threadRecord.thread;
  const validation = validateActionBody(action, input, thread.source, deps.nativeSources);
  if (!validation.ok) throw new ValidationError(`Invalid ${action} body`, validation.issues);
  const body = validation.body;
  const fingerprint = createHash('sha256').update(canonicalJson({ responseId, action, body })).digest('hex');
  const actionId = idempotencyKey ? `gda_${createHash('sha256').update(`idem:${idempotencyKey}`).digest('hex').slice(0, 32)}` : `gda_${randomUUID().replaceAll('-', '')}`;

  // A concurrent request with the same Idempotency-Key names this very action: whatever it got to
  // first (the record, the claim) is this request's too, never a conflict.
  const sameAction = async (conflict: ConflictError): Promise<{ view: ActionView; replayed: boolean }> => {
    const existing = idempotencyKey ? await winnerOf(actionId, deps) : undefined;
    if (existing) return replay(existing, fingerprint, deps);
    throw conflict;
  };
  if (idempotencyKey) {
    const existing = await deps.actions.get(actionId);
    if (existing) return replay(existing, fingerprint, deps);
  }
  const history = (await deps.actions.listForResponse(responseId)).filter((h) => h.actionId !== actionId);
  const allowed = allowedActions(thread, history);
  if (!allowed.includes(action)) return sameAction(new ConflictError(`${action} is not allowed on response ${responseId} now`, { allowed }));
  const eventKey = thread.latestEventKey;
  const answers = action === 'message' ? (latestCustomerMessage(thread)?.id ?? null) : undefined;
  const claimKey = eventKey === null ? undefined : claimKeyOf({ action, answers, eventKey });
  if (claimKey !== undefined && !(await deps.actions.claim(responseId, claimKey, actionId))) {
    const holding = action === 'message' ? allowed.filter((a) => a !== 'message') : allowed.filter((a) => !PROCESSING_ACTIONS.includes(a));
    return sameAction(new ConflictError(`Response ${responseId} is already being ${action === 'message' ? 'answered' : 'processed'}`, { allowed: holding }));
  }
  const now = (deps.now?.() ?? new Date()).toISOString();
  const record: ActionRecord = {
    actionId,
    responseId,
    action,
    body,
    operatorEmail: operatorEmail(body),
    // A Goodays user id given as `user` is sent as it is; an e-mail is resolved when the action is sent.
    ...(namedUserId(body) ? { goodaysUserId: namedUserId(body) } : {}),
    eventKey,
    answers,
    idempotencyKey,
    fingerprint,
    state: 'accepted',
    createdAt: now,
    updatedAt: now,
    attempts: 0,
  };
  let created: boolean;
  try {
    created = await deps.actions.create(record);
  } catch (err) {
    created = await recordedDespite(err, record, deps);
    // Nothing was recorded: a claim left behind would block every later action on the response.
    if (!created && claimKey !== undefined) await releaseClaim(record, deps);
    if (!created) throw err;
  }
  // A concurrent request with the same Idempotency-Key created it first.
  if (!created) return sameAction(new ConflictError(`Action ${actionId} is being created by another request; retry`));
  try {
    await deps.queue.send({ actionId });
  } catch (err) {
    const failedAt = (deps.now?.() ?? new Date()).toISOString();
    await deps.actions.transition({ ...record, state: 'failed', error: 'could not be queued; nothing was sent', updatedAt: failedAt }, ['accepted']);
    await releaseClaim(record, deps);
    throw err;
  }
  // The thread keeps what the hub does, so no stale event makes it `awaiting` again. Best effort: the
  // action is recorded and queued, and the actions table is what decides what an operator may do.
  try {
    await recordHubAction(responseId, summaryOf(record), deps);
  } catch (err) {
    logger.warn('Goodays action queued; the thread did not record it', { actionId, responseId, error: err as Error });
  }
  return { view: actionView(record), replayed: false };
}

/** Consistent reads of an action another request is creating, before the conflict is answered. */
const WINNER_READS = 3;

/**
 * The record a concurrent request with the same Idempotency-Key wrote (it won the conditional create
 * or got in between this request's first read and its checks). The winner claims, then creates; a few
 * consistent reads with short pauses cover the gap between the two.
 */
async function winnerOf(actionId: string, deps: Pick<OperatorDeps, 'actions'>): Promise<ActionRecord | undefined> {
  for (let attempt = 0; attempt < WINNER_READS; attempt++) {
    const found = await deps.actions.get(actionId);
    if (found) return found;
    if (attempt < WINNER_READS - 1) await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
  }
  return undefined;
}

/**
 * After `create` threw: whether the record was written all the same. DynamoDB may commit a PutItem
 * whose last SDK attempt then fails (a timeout or a reset after the write), so a consistent read
 * decides. A record found keeps its claim and counts as created (a client retry with the same
 * Idempotency-Key would replay and queue it; releasing the claim then would let another operator
 * reply too). Only a record known to be absent lets the caller release the claim; when the read
 * fails as well, the original error is thrown and the claim kept: a blocked response is visible
 * (409) and recoverable, a second reply is not.
 */
async function recordedDespite(err: unknown, record: ActionRecord, deps: Pick<OperatorDeps, 'actions'>): Promise<boolean> {
  let found: ActionRecord | undefined;
  try {
    found = await deps.actions.get(record.actionId);
  } catch {
    throw err;
  }
  if (!found) return false;
  // Same id, different body: another request with the same Idempotency-Key; replay() refuses it.
  if (found.fingerprint !== record.fingerprint) throw new ConflictError('Idempotency-Key was already used for a different request', { actionId: found.actionId });
  return true;
}

async function replay(existing: ActionRecord, fingerprint: string, deps: OperatorDeps): Promise<{ view: ActionView; replayed: boolean }> {
  if (existing.fingerprint !== fingerprint) throw new ConflictError('Idempotency-Key was already used for a different request', { actionId: existing.actionId });
  // An earlier request may have stopped between recording and queueing; queueing twice is harmless
  // because the processor acts on the record's state, not on the message.
  if (existing.state === 'accepted') await deps.queue.send({ actionId: existing.actionId });
  return { view: actionView(existing), replayed: true };
}


/**
 * `POST /goodays/actions/{actionId}/resolve`: a person's decision on an action whose outcome is
 * unknown, after checking in Goodays. `sent` counts it as done; `not-sent` fails it and frees the
 * response for another action. Nothing is sent to Goodays.
 */
export async function resolveAction(id: string, rawBody: string | undefined, deps: OperatorDeps & { readonly outbound: EventPublisher }): Promise<ActionView> {
  const actionId = pathId(id, 'actionId', ActionId);
  const input = parseJson(rawBody ?? '');
  if (!input.ok) throw new ValidationError('Body is not JSON', [{ name: 'body', detail: 'send {"outcome": "sent" | "not-sent"}' }]);
  requireWellFormed(input.value);
  const decision = parseInput(Resolution, input.value, 'Invalid resolution', 'body');
  const record = await deps.actions.get(actionId);
  if (!record) throw new NotFoundError(`No action ${actionId}`);
  if (record.state !== 'unknown') {
    // Resolved before: a repeat after a crash between the write and the publish announces it again (same event id).
    const resolved = record.resolution ? settledEvent(record) : undefined;
    if (resolved) await deps.outbound.publish([resolved]);
    throw new ConflictError(`Action ${actionId} is ${record.state}; only an unknown outcome is resolved by hand`, { state: record.state });
  }
  const at = (deps.now?.() ?? new Date()).toISOString();
  const next: ActionRecord = {
    ...record,
    state: decision.outcome === 'sent' ? 'succeeded' : 'failed',
    resolution: { outcome: decision.outcome, note: decision.note, at },
    updatedAt: at,
  };
  if (!(await deps.actions.transition(next, ['unknown']))) throw new ConflictError(`Action ${actionId} changed meanwhile; read it again`);
  if (decision.outcome === 'sent') {
    await markHandled(record.responseId, record.createdAt, deps, summaryOf(next));
  } else {
    await releaseClaim(record, deps);
    await recordHubAction(record.responseId, summaryOf(next), deps);
  }
  const event = settledEvent(next);
  if (event) await deps.outbound.publish([event]);
  return actionView(next);
}
