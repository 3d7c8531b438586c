import type * as z from 'zod';
import { describe, expect, it } from 'vitest';
import type { ErasureAnswer, ExportPart, TimelineItem } from '#customers/domain/schemas.ts';
import type { AuditRecordView, QuarantineDetail, QuarantineSummary, QueueDepthView, RedriveView, RetryOutcomeView, StatusView, StreamDetailView, StreamView } from '#platform/operator-views.ts';
import type { RedriveOutcome, SubscriptionView } from '#platform/outbound/views.ts';
import type * as Shapes from '#console/app/shapes.ts';
import { CONSOLE_ROUTES } from '#console/app/routes.ts';
import { documentForTests } from '#test/helpers/openapi.ts';

/**
 * The console's pages read the operator routes' answers through the shapes in
 * `functions/console/app/shapes.ts`. Here (compiled by `npm run typecheck`, whose project has the
 * server code) what each route's schema says it answers must be assignable to what the page reads:
 * a field renamed, removed or retyped in a schema fails the typecheck. The paths the pages call must
 * be routes of the API document.
 */

/** Compiles only when `Answer` can be given where the page expects `Read`. */
type Reads<Read, Answer extends Read> = [Read, Answer];

export type Checked = [
  Reads<Shapes.StatusShape, StatusView>,
  Reads<Shapes.QueueDepthShape, QueueDepthView>,
  Reads<Shapes.RedriveShape, z.infer<typeof RedriveView>>,
  Reads<Shapes.QuarantineSummaryShape, QuarantineSummary>,
  Reads<Shapes.QuarantineDetailShape, QuarantineDetail>,
  Reads<Shapes.RetryShape, z.infer<typeof RetryOutcomeView>>,
  Reads<Shapes.StreamShape, StreamView>,
  Reads<Shapes.AuditShape, AuditRecordView>,
  Reads<Shapes.StreamDetailShape, z.infer<typeof StreamDetailView>>,
  Reads<Shapes.SubscriptionShape, SubscriptionView>,
  Reads<Shapes.SubscriptionRedriveShape, RedriveOutcome>,
  Reads<Shapes.TimelineItemShape, TimelineItem>,
  Reads<Shapes.ExportPartShape, ExportPart>,
  Reads<Shapes.ErasureShape, ErasureAnswer>,
];

describe('the console and the API document', () => {
  it('calls only routes the document has, with the method it documents', async () => {
    const doc = await documentForTests();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(CONSOLE_ROUTES.length).toBeGreaterThan(10);
    expect(CONSOLE_ROUTES.filter((r) => !documented.includes(r))).toEqual([]);
  });
});
