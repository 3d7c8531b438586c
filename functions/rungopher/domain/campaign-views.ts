import * as z from 'zod';
import { BATCH_STATES, JOB_STATES } from './upload-job.ts';

/**
 * What the Rungopher campaign routes answer, as schemas for the OpenAPI document. The vendor's own
 * objects are open (`looseObject`): a field Rungopher adds later is passed on, not refused.
 */

const Time = z.iso.datetime().meta({ description: 'ISO-8601, UTC.' });

/** Segment figures of one text (`domain/sms.ts`). */
export const SegmentCountSchema = z
  .object({
    characters: z.number().int(),
    vendorSegments: z.number().int().meta({ description: "Segments by Rungopher's rule (what it bills)." }),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    units: z.number().int(),
    carrierSegments: z.number().int().meta({ description: 'Segments a carrier would send.' }),
    nonGsmCharacters: z.array(z.string()),
  })
  .meta({ id: 'RungopherSegmentCount' });

export const TemplateView = z
  .looseObject({ category: z.string(), name: z.string(), displayName: z.string(), description: z.string(), diagramUrl: z.string().optional(), costPerContact: z.number() })
  .meta({ id: 'RungopherTemplate', example: { category: 'General', name: 'AcceptDecline', displayName: 'Accept / Decline', description: 'Ask a yes/no question.', costPerContact: 0.5 } });

const CampaignFields = {
  id: z.string().meta({ description: "Rungopher's campaign id, as a string.", example: '15' }),
  title: z.string(),
  campaignToken: z.string(),
  state: z.string().meta({ description: 'draft, running or completed (another state Rungopher adds is passed on).' }),
  transitionEmail: z.string(),
  costPerContact: z.number(),
  costPerExtraSms: z.number(),
  costPerTransition: z.number(),
  requiredFields: z.array(z.string()),
};

/** A campaign in the list. */
export const CampaignSummary = z.looseObject({ ...CampaignFields, smsContent: z.array(z.looseObject({ name: z.string(), displayName: z.string(), content: z.string() })) }).meta({ id: 'RungopherCampaignSummary' });

/** One campaign, each SMS content with its segments. */
export const CampaignView = z
  .looseObject({ ...CampaignFields, smsContent: z.array(z.looseObject({ name: z.string(), displayName: z.string(), content: z.string(), segments: SegmentCountSchema })) })
  .meta({ id: 'RungopherCampaign' });

const SmsCostLine = z.object({
  name: z.string(),
  asWritten: SegmentCountSchema,
  contactsWithExtraVendor: z.number().int(),
  contactsWithExtraCarrier: z.number().int(),
  extraSegmentsVendor: z.number().int(),
  extraSegmentsCarrier: z.number().int(),
  maxVendorSegments: z.number().int(),
  maxCarrierSegments: z.number().int(),
});

/** `POST /rungopher/campaigns/{campaignId}/estimate`. */
export const EstimateView = z
  .object({
    campaignId: z.string(),
    sms: z.array(z.object({ name: z.string() }).extend(SegmentCountSchema.shape)),
    validation: z
      .object({
        rows: z.number().int(),
        valid: z.number().int(),
        invalid: z.number().int(),
        duplicates: z.number().int(),
        missingColumns: z.array(z.string()),
        ignoredHeaders: z.array(z.string()),
        columns: z.array(z.object({ header: z.string(), field: z.string().optional().meta({ description: 'The contact field it maps to; absent when ignored.' }) })),
        problems: z.array(z.string()).meta({ description: 'The first 100 problem rows, each naming its line.' }),
      })
      .optional()
      .meta({ description: 'Given with a CSV.' }),
    estimate: z
      .looseObject({
        contacts: z.number().int(),
        costPerContact: z.number(),
        costPerExtraSms: z.number(),
        contactCost: z.number(),
        sms: z.array(SmsCostLine),
        extraSegmentsVendor: z.number().int(),
        extraSegmentsCarrier: z.number().int(),
        extraCostVendor: z.number(),
        extraCostCarrier: z.number(),
        totalVendor: z.number(),
        totalCarrier: z.number(),
        extraCases: z.array(z.looseObject({ contactId: z.string(), mobile: z.string(), sms: z.string(), vendorSegments: z.number().int(), carrierSegments: z.number().int() })).meta({ description: 'The first 100 (contact, SMS) pairs over one segment.' }),
        extraCaseCount: z.number().int(),
      })
      .optional()
      .meta({ description: 'Given with a CSV.' }),
  })
  .meta({ id: 'RungopherEstimate' });

const Batch = z.object({
  batch: z.number().int(),
  state: z.enum(BATCH_STATES),
  size: z.number().int(),
  firstLine: z.number().int(),
  lastLine: z.number().int(),
  sent: z.number().int(),
  started: z.number().int(),
  alreadyStarted: z.number().int().meta({ description: 'Contacts another upload already started or is starting.' }),
  unknownHeld: z.number().int().meta({ description: 'Contacts an earlier upload sent with an unknown outcome (held unless resendUnknown).' }),
  skipped: z.number().int(),
  warnings: z.array(z.string()),
  warningCount: z.number().int(),
  error: z.string().optional(),
  leaseUntil: Time.optional(),
  updatedAt: Time,
});

/** An upload job with its progress and each batch's outcome. */
export const UploadJobViewSchema = z
  .object({
    jobId: z.string().meta({ example: 'rgu_0123456789abcdef0123456789abcdef' }),
    campaignId: z.string(),
    campaignTitle: z.string(),
    mode: z.enum(['live', 'test']),
    state: z.enum(JOB_STATES),
    createdAt: Time,
    updatedAt: Time,
    operator: z.string().meta({ description: 'The X-Operator header of the request that made it, else `operator`.' }),
    file: z.string().optional(),
    resendUnknown: z.boolean(),
    batchSize: z.number().int(),
    batchCount: z.number().int(),
    contacts: z.number().int(),
    rows: z.number().int(),
    invalid: z.number().int(),
    duplicates: z.number().int(),
    estimate: z.object({ totalVendor: z.number(), totalCarrier: z.number(), extraSegmentsVendor: z.number().int(), extraSegmentsCarrier: z.number().int() }),
    error: z.string().optional(),
    skippedRows: z.array(z.string()).optional().meta({ description: 'In the 202 of an upload with skipInvalid: the rows left out, each naming its line (the first 100).' }),
    progress: z.object({
      batchesDone: z.number().int(),
      batches: z.number().int(),
      contactsDone: z.number().int(),
      contacts: z.number().int(),
      sent: z.number().int(),
      started: z.number().int(),
      alreadyStarted: z.number().int(),
      unknownHeld: z.number().int(),
      skipped: z.number().int(),
    }),
    batches: z.array(Batch),
  })
  .meta({ id: 'RungopherUploadJob' });

/** `PUT /rungopher/journeys/{journeyId}/contacts/{mobile}`. */
export const JourneyUpdateView = z.object({ journeyId: z.string(), mobile: z.string().meta({ description: 'As sent to Rungopher: digits with the country code, no `+`.' }), updated: z.array(z.string()) }).meta({ id: 'RungopherJourneyUpdate' });
