import * as z from 'zod';
import type { ApiDoc } from '#platform/api-doc.ts';
import { INTERNAL, INVALID, UNAUTHORIZED } from '#platform/api-doc.ts';
import { ListQuery, pageSchema } from '#platform/list-page.ts';
import { CreateCampaignRequest, EditCampaignRequest } from '#rungopher/domain/campaign.ts';
import { CampaignSummary, CampaignView, EstimateView, JourneyUpdateView, TemplateView, UploadJobViewSchema } from '#rungopher/domain/campaign-views.ts';
import { EstimateRequest, JourneyUpdateBody, UploadJobRequest } from '#rungopher/domain/upload-job.ts';

const VENDOR_FAILED = { description: "Rungopher refused the hub's key, answered 5xx or could not be reached (the detail names which)." };
const VENDOR_TIMEOUT = { description: 'Rungopher did not answer in time; whether it acted is unknown.' };
const CAMPAIGN_ID = { campaignId: { description: "Rungopher's campaign id (digits).", example: '15' } };
const OPERATOR_HEADER = { 'X-Operator': { description: 'Who is acting (1-128 visible characters), kept on the job; `operator` when not sent.', schema: z.string().max(128) } };

/** The routes of `rungopher-campaigns` for the OpenAPI document (`infra/openapi/`): the vendor's key stays in the hub's secret. No handler imports this. */
export const routes: ApiDoc = {
  'GET /rungopher/templates': {
    summary: "Rungopher's campaign templates",
    description: 'Rungopher answers every template at once; the hub pages them.',
    query: ListQuery,
    responses: { 200: { description: 'A page of templates.', schema: pageSchema(TemplateView, 'RungopherTemplatePage') }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL, 502: VENDOR_FAILED, 504: VENDOR_TIMEOUT },
  },
  'GET /rungopher/campaigns': {
    summary: 'Campaigns of the account, paged by the hub',
    query: ListQuery,
    responses: { 200: { description: 'A page of campaigns.', schema: pageSchema(CampaignSummary, 'RungopherCampaignPage') }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL, 502: VENDOR_FAILED, 504: VENDOR_TIMEOUT },
  },
  'POST /rungopher/campaigns': {
    summary: 'Create a draft campaign from a template',
    body: { schema: CreateCampaignRequest, example: { name: 'AcceptDecline', title: 'Spring appeal', transitionEmail: 'ops@example.com' } },
    responses: { 201: { description: 'The new campaign.', schema: CampaignView }, 400: INVALID, 401: UNAUTHORIZED, 409: { description: 'Rungopher refused it (its messages in the detail).' }, 500: INTERNAL, 502: VENDOR_FAILED, 504: VENDOR_TIMEOUT },
  },
  'GET /rungopher/campaigns/{campaignId}': {
    summary: 'One campaign, with the segments of each SMS content',
    path: CAMPAIGN_ID,
    responses: { 200: { description: 'The campaign.', schema: CampaignView }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'Rungopher has no such campaign.' }, 500: INTERNAL, 502: VENDOR_FAILED, 504: VENDOR_TIMEOUT },
  },
  'PUT /rungopher/campaigns/{campaignId}': {
    summary: "Edit a campaign's transition e-mail or SMS contents",
    description: "Rungopher's edit rules are checked first: at least one of the two, each content 1-1000 characters, each name once.",
    path: CAMPAIGN_ID,
    body: { schema: EditCampaignRequest, example: { smsContent: [{ name: 'first', content: 'Hi {firstName}, can we count on you again this spring?' }] } },
    responses: { 200: { description: 'The campaign as edited.', schema: CampaignView }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'Rungopher has no such campaign.' }, 409: { description: 'Rungopher refused the edit (a completed campaign).' }, 500: INTERNAL, 502: VENDOR_FAILED, 504: VENDOR_TIMEOUT },
  },
  'POST /rungopher/campaigns/{campaignId}/estimate': {
    summary: 'Cost estimate: the segments of each SMS content, and with a CSV its validation report and cost',
    path: CAMPAIGN_ID,
    body: { schema: EstimateRequest, required: false, example: { csv: 'contactId,First Name,Surname,Mobile Number\nc1,Ann,Lee,0412 300000\n', country: 'AU' } },
    responses: { 200: { description: 'The estimate.', schema: EstimateView }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'Rungopher has no such campaign.' }, 500: INTERNAL, 502: VENDOR_FAILED, 504: VENDOR_TIMEOUT },
  },
  'POST /rungopher/campaigns/{campaignId}/uploads': {
    summary: 'Upload contacts as a job',
    description:
      "The CSV is validated (header mapping, E.164, required fields, duplicates) and batched to 30,000; the job runs in the background. The hub keeps the journal: a contact another upload already started is not started again. An invalid row refuses the whole file unless `skipInvalid`.",
    path: CAMPAIGN_ID,
    headers: OPERATOR_HEADER,
    body: { schema: UploadJobRequest, example: { csv: 'contactId,First Name,Surname,Mobile Number\nc1,Ann,Lee,0412 300000\n', mode: 'test', country: 'AU' } },
    responses: {
      202: { description: 'The job, queued.', schema: UploadJobViewSchema, headers: { Location: 'The job: `/rungopher/uploads/{jobId}`.' } },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'Rungopher has no such campaign.' },
      500: INTERNAL,
      502: VENDOR_FAILED,
      504: VENDOR_TIMEOUT,
    },
  },
  'GET /rungopher/uploads/{jobId}': {
    summary: "An upload job: its progress and each batch's outcome",
    path: { jobId: { description: 'The id the upload answered.', example: 'rgu_0123456789abcdef0123456789abcdef' } },
    responses: { 200: { description: 'The job.', schema: UploadJobViewSchema }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'No such job.' }, 500: INTERNAL },
  },
  'PUT /rungopher/journeys/{journeyId}/contacts/{mobile}': {
    summary: "Update a journey contact's fields",
    path: { journeyId: { description: "Rungopher's journey id (digits).", example: '7' }, mobile: { description: 'The mobile in any form (`+61 412 300 000`, `0412300000` with `country`).', example: '61412300000' } },
    body: { schema: JourneyUpdateBody, example: { fields: { firstName: 'Ann' }, country: 'AU' } },
    responses: { 200: { description: 'What was updated.', schema: JourneyUpdateView }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'Rungopher has no such journey or contact.' }, 409: { description: 'Rungopher refused the update.' }, 500: INTERNAL, 502: VENDOR_FAILED, 504: VENDOR_TIMEOUT },
  },
};
