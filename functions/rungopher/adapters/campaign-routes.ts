import type { Route } from '#platform/http.ts';
import { bodyText, json, queryParams } from '#platform/http.ts';
import { ValidationError } from '#platform/errors.ts';
import { problem } from '#platform/problem.ts';
import { UploadJobRequest } from '#rungopher/domain/upload-job.ts';
import { createCampaign, editCampaign, estimate, getCampaign, jsonBody, listCampaigns, listTemplates, numericId, updateJourneyContact, UpstreamError, viaVendor } from '#rungopher/use-cases/campaigns.ts';
import { createUploadJob, getUploadJob } from '#rungopher/use-cases/upload-job.ts';
import { campaignClient, uploadPorts } from './wiring.ts';

/**
 * The routes of `rungopher-campaigns`: each reads its part of the request, calls one use case and
 * answers; the bearer check and dispatch are the kit's (`operatorApi`). Vendor failures the operator
 * cannot fix (a refused key, a 5xx, no answer) are 502/504 naming Rungopher.
 */

/** Who is acting: `X-Operator` (1-128 visible characters), else `operator`. */
function operatorOf(headers: Readonly<Record<string, string | undefined>> | undefined): string {
  // API Gateway (HTTP API) and the local gateway give header names in lower case.
  const v = headers?.['x-operator'];
  if (v === undefined) return 'operator';
  if (!/^[\x20-\x7e]{1,128}$/.test(v)) throw new ValidationError('Invalid X-Operator header', [{ name: 'X-Operator', detail: 'must be 1-128 visible ASCII characters' }]);
  return v.trim() || 'operator';
}

const upstream = (route: Route): Route => async (event, context) => {
  try {
    return await route(event, context);
  } catch (e) {
    if (e instanceof UpstreamError) return problem(e.status, e.message);
    throw e;
  }
};

export const campaignRoutes: Readonly<Record<string, Route>> = {
  'GET /rungopher/templates': upstream(async (event) => json(200, await listTemplates(await campaignClient(), queryParams(event)))),
  'GET /rungopher/campaigns': upstream(async (event) => json(200, await listCampaigns(await campaignClient(), queryParams(event)))),
  'POST /rungopher/campaigns': upstream(async (event) => json(201, await createCampaign(await campaignClient(), bodyText(event)))),
  'GET /rungopher/campaigns/{campaignId}': upstream(async (event) => json(200, await getCampaign(await campaignClient(), event.pathParameters?.campaignId))),
  'PUT /rungopher/campaigns/{campaignId}': upstream(async (event) => json(200, await editCampaign(await campaignClient(), event.pathParameters?.campaignId, bodyText(event)))),
  'POST /rungopher/campaigns/{campaignId}/estimate': upstream(async (event) => json(200, await estimate(await campaignClient(), event.pathParameters?.campaignId, bodyText(event)))),
  'POST /rungopher/campaigns/{campaignId}/uploads': upstream(async (event) => {
    const id = numericId(event.pathParameters?.campaignId, 'campaignId');
    const req = jsonBody(UploadJobRequest, bodyText(event));
    const operator = operatorOf(event.headers);
    const client = await campaignClient();
    const job = await createUploadJob(id, req, operator, { getCampaign: (c) => viaVendor(() => client.getCampaign(c)), ...uploadPorts() });
    return json(202, job, { location: `/rungopher/uploads/${job.jobId}` });
  }),
  'GET /rungopher/uploads/{jobId}': async (event) => json(200, await getUploadJob(event.pathParameters?.jobId ?? '', uploadPorts().store)),
  'PUT /rungopher/journeys/{journeyId}/contacts/{mobile}': upstream(async (event) =>
    json(200, await updateJourneyContact(await campaignClient(), event.pathParameters?.journeyId, event.pathParameters?.mobile, bodyText(event))),
  ),
};
