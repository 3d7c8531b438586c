/**
 * What the console reads from the hub's own operator routes: the fields each page draws, nothing
 * more. Written out here (not imported) because the browser code is checked with the DOM's types
 * only, and the routes' zod schemas live beside server code that is not. `test/console/shapes.ts`
 * holds these to the routes' schemas at `npm run typecheck`: what a route answers must be assignable
 * to what the page reads, so a renamed or retyped field fails the build; a field added to an answer
 * does not (the status page draws any field it does not know).
 */

/** `GET /status` (`StatusView`). */
export interface StatusShape {
  readonly generatedAt: string;
  readonly webhooks: readonly { readonly vendor: string; readonly lastAcceptedAt: string | null }[];
  readonly schedules: readonly ScheduleRunShape[];
  readonly queues: readonly QueueDepthShape[];
  readonly quarantine: { readonly count: number; readonly retried: number };
  readonly streams: readonly StreamShape[];
}

export interface ScheduleRunShape {
  readonly name: string;
  readonly lastRunAt: string | null;
  readonly outcome: 'ok' | 'failed' | null;
  readonly durationMs?: number | undefined;
  readonly error?: string | undefined;
  readonly figures?: Readonly<Record<string, number | string>> | undefined;
}

/** `GET /queues` items (`QueueDepthView`). */
export interface QueueDepthShape {
  readonly name: string;
  readonly depth: number;
  readonly inFlight: number;
  readonly dlqDepth: number;
}

/** `POST /queues/{queue}/redrive` (`RedriveView`). */
export interface RedriveShape {
  readonly queue: string;
  readonly state: 'started' | 'moved';
  readonly moved?: number | undefined;
  readonly dlqDepth: number;
  readonly by: string;
}

/** `GET /quarantine` items (`QuarantineSummary`). */
export interface QuarantineSummaryShape {
  readonly id: string;
  readonly vendor: string;
  readonly stage: 'webhook' | 'processor' | 'poller';
  readonly reason: string;
  readonly receivedAt: string;
  readonly bodyBytes: number;
  readonly truncated: boolean;
  readonly retryTo: string | null;
  readonly retriedAt?: string | undefined;
  readonly retriedBy?: string | undefined;
  readonly retries?: number | undefined;
}

/** `GET /quarantine/{id}` (`QuarantineDetail`). */
export interface QuarantineDetailShape extends QuarantineSummaryShape {
  readonly bodyEncoding: 'utf8' | 'base64';
  readonly body: string;
  readonly bodySha256: string;
}

/** `POST /quarantine/{id}/retry` (`RetryOutcomeView`). */
export interface RetryShape {
  readonly id: string;
  readonly queue: string;
  readonly messageId: string;
  readonly retriedAt: string;
  readonly retriedBy: string;
}

/** `GET /streams` items (`StreamView`). */
export interface StreamShape {
  readonly name: string;
  readonly poller: string;
  readonly description: string;
  readonly position: string | null;
  readonly updatedAt: string;
  readonly version: number;
}

/** One change to a stream (`AuditRecordView`), also what reset and backfill answer. */
export interface AuditShape {
  readonly stream: string;
  readonly at: string;
  readonly who: string;
  readonly action: 'reset' | 'backfill';
  readonly from: string | null;
  readonly to: string;
}

/** `GET /streams/{stream}` (`StreamDetailView`). */
export interface StreamDetailShape extends StreamShape {
  readonly audit: readonly AuditShape[];
}

/** `GET /subscriptions` items (`SubscriptionView`). */
export interface SubscriptionShape {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly state: 'healthy' | 'failing' | 'idle';
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly lastFailure: { readonly status: string; readonly eventId: string } | null;
  readonly queueDepth: number;
  readonly dlqDepth: number;
}

/** `POST /subscriptions/{id}/redrive` (`RedriveOutcome`). */
export interface SubscriptionRedriveShape {
  readonly id: string;
  readonly moved: number;
  readonly dlqDepth: number;
}

/** `GET /customers` items (`TimelineItem`). */
export interface TimelineItemShape {
  readonly vendor: string;
  readonly kind: string;
  readonly label?: string | undefined;
  readonly at: string;
  readonly link: string;
  readonly ref: string;
}

/** `GET /customers/export` (`ExportPart`). */
export interface ExportPartShape {
  readonly generatedAt: string;
  readonly subject: readonly string[];
  readonly identifiers: readonly string[];
  readonly index?: readonly Readonly<Record<string, unknown>>[] | undefined;
  readonly records: readonly { readonly vendor: string; readonly kind: string; readonly at: string; readonly table: string; readonly ref: string; readonly items: readonly Readonly<Record<string, unknown>>[]; readonly part?: number | undefined }[];
  readonly nextCursor: string | null;
}

/** `DELETE /customers` (`ErasureAnswer`). */
export interface ErasureShape {
  readonly erasureId: string;
  readonly complete: boolean;
  readonly counts: Readonly<Record<string, number>>;
  readonly suppressed: boolean;
}
