import * as z from 'zod';
import type { Campaign, CreateCampaignRequest, EditCampaignRequest, JourneyContactUpdateRequest, Template, UploadContactsRequest, UploadContactsResponse } from '#rungopher/domain/campaign.ts';
import { CreateCampaignRequest as CreateSchema, EditCampaignRequest as EditSchema } from '#rungopher/domain/campaign.ts';
import { normalisePhone } from '#rungopher/domain/contact-csv.ts';
import { estimateCost } from '#rungopher/domain/cost.ts';
import { countSegments } from '#rungopher/domain/sms.ts';
import { EstimateRequest, JourneyUpdateBody } from '#rungopher/domain/upload-job.ts';
import { ConflictError, NotFoundError, ValidationError, VendorError } from '#platform/errors.ts';
import { parseJson } from '#platform/json.ts';
import { ListQuery, sizedPage, type Page } from '#platform/list-page.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { parseInput, pathId, requireWellFormed } from '#platform/validation.ts';
import { problemLines, readUploadCsv } from './upload-job.ts';

/**
 * Rungopher campaign work through the hub, so the vendor's API key stays in the hub's secret:
 * templates, campaigns (list, get, create, edit), journey contact update and the cost estimate. The
 * contact upload is a job (`upload-job.ts`).
 */

/** Port: the vendor's campaign API (the Rungopher client). */
export interface CampaignApi {
  templates(): Promise<Template[]>;
  listCampaigns(): Promise<Campaign[]>;
  getCampaign(id: number): Promise<Campaign>;
  createCampaign(request: CreateCampaignRequest): Promise<Campaign>;
  editCampaign(id: number, request: EditCampaignRequest): Promise<Campaign>;
  uploadContacts(id: number, request: UploadContactsRequest): Promise<UploadContactsResponse>;
  updateJourneyContact(journeyId: number, mobile: string, request: JourneyContactUpdateRequest): Promise<void>;
}

/** The vendor could not be reached or answered with an error of its own (a 5xx, or its refusal of the hub's key): 502/504. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    message: string,
    readonly status: 502 | 504,
  ) {
    super(message);
  }
}

/**
 * A vendor error as the operator should see it: its 404 is a 404, its 400 a 400 with its messages, its
 * 403 (a completed campaign) a 409; a refused key, a 5xx or no answer is the hub's upstream's fault (502, 504).
 */
export function vendorToOperator(e: unknown): unknown {
  if (!(e instanceof VendorError)) return e;
  const messages = e.vendorMessages.length ? [...e.vendorMessages] : [e.message];
  if (e.status === 404) return new NotFoundError(`Rungopher: ${messages.join('; ')}`);
  if (e.status === 400 || e.status === 422) return new ValidationError('Rungopher refused the request', messages.map((m) => ({ name: 'body', detail: `Rungopher: ${m}` })));
  if (e.status === 403 || e.status === 409) return new ConflictError(`Rungopher refused the request: ${messages.join('; ')}`, { vendorMessages: messages });
  if (e.status === 401) return new UpstreamError("Rungopher refused the hub's API key (RUNGOPHER_API_KEY in the rungopher secret)", 502);
  if (e.status === undefined) return new UpstreamError(`Rungopher could not be reached: ${e.message}`, e.outcomeUnknown ? 504 : 502);
  return new UpstreamError(`Rungopher answered ${e.status}: ${messages.join('; ')}`, 502);
}

/** Runs a use case, turning vendor errors into the operator's. */
export async function viaVendor<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw vendorToOperator(e);
  }
}

/** A JSON body by schema: not JSON, a lone surrogate or a wrong shape is a 400 naming each field. */
export function jsonBody<T>(schema: z.ZodType<T>, text: string | undefined): T {
  if (text === undefined || text.trim() === '') throw new ValidationError('A JSON body is required', [{ name: 'body', detail: 'required' }]);
  const parsed = parseJson(text);
  if (!parsed.ok) throw new ValidationError('The body is not JSON', [{ name: 'body', detail: parsed.reason }]);
  requireWellFormed(parsed.value);
  return parseInput(schema, parsed.value, 'Invalid body', 'body');
}

/** A campaign or journey id from the path: digits, as Rungopher's ids are. */
export function numericId(value: string | undefined, name: string): number {
  const id = pathId(value, name, z.string().regex(/^\d{1,15}$/, 'must be a whole number'));
  return Number(id);
}


const offsetCursor = (list: string) => pageCursor(list, z.number().int().min(0).max(10_000_000));
const templatesCursor = offsetCursor('rungopher-templates');
const campaignsCursor = offsetCursor('rungopher-campaigns');

/** The page asked for, checked before the vendor is called (a bad cursor is a 400 without a vendor call). */
function pageOf(query: Record<string, string>, cursor: ReturnType<typeof offsetCursor>): { from: number; limit: number } {
  const q = parseInput(ListQuery, query, 'Invalid query');
  return { from: cursor.decode(q.cursor) ?? 0, limit: q.limit };
}

function slice<T>(all: readonly T[], p: { from: number; limit: number }, cursor: ReturnType<typeof offsetCursor>): Page<T> {
  return sizedPage(all.slice(p.from, p.from + p.limit), p.from + p.limit < all.length ? cursor.encode(p.from + p.limit) : null, (i) => cursor.encode(p.from + i + 1));
}

/** A campaign with the segments of each SMS content, by the vendor's rule and the carrier's. */
export function withSegments(c: Campaign) {
  return { ...c, id: String(c.id), smsContent: c.smsContent.map((s) => ({ ...s, segments: countSegments(s.content) })) };
}

/** `GET /rungopher/templates`. Rungopher does not page; the hub pages its answer. */
export async function listTemplates(api: CampaignApi, query: Record<string, string>) {
  const p = pageOf(query, templatesCursor);
  return slice(await viaVendor(() => api.templates()), p, templatesCursor);
}

/** `GET /rungopher/campaigns`. */
export async function listCampaigns(api: CampaignApi, query: Record<string, string>) {
  const p = pageOf(query, campaignsCursor);
  const page = slice(await viaVendor(() => api.listCampaigns()), p, campaignsCursor);
  return { items: page.items.map((c) => ({ ...c, id: String(c.id) })), nextCursor: page.nextCursor };
}

/** `GET /rungopher/campaigns/{campaignId}`. */
export async function getCampaign(api: CampaignApi, campaignId: string | undefined) {
  const id = numericId(campaignId, 'campaignId');
  return withSegments(await viaVendor(() => api.getCampaign(id)));
}

/** `POST /rungopher/campaigns` `{name, title, transitionEmail}`: a draft campaign from a template. */
export async function createCampaign(api: CampaignApi, body: string | undefined) {
  const req = jsonBody(CreateSchema, body);
  return withSegments(await viaVendor(() => api.createCampaign(req)));
}

/** `PUT /rungopher/campaigns/{campaignId}` `{transitionEmail?, smsContent?}`: the vendor's edit rules, checked first. */
export async function editCampaign(api: CampaignApi, campaignId: string | undefined, body: string | undefined) {
  const id = numericId(campaignId, 'campaignId');
  const req = jsonBody(EditSchema, body);
  return withSegments(await viaVendor(() => api.editCampaign(id, req)));
}

/** `PUT /rungopher/journeys/{journeyId}/contacts/{mobile}` `{fields, country?}`: the mobile in any form, sent as digits without `+`. */
export async function updateJourneyContact(api: CampaignApi, journeyId: string | undefined, mobile: string | undefined, body: string | undefined) {
  const id = numericId(journeyId, 'journeyId');
  const raw = pathId(mobile, 'mobile');
  const req = jsonBody(JourneyUpdateBody, body);
  const phone = normalisePhone(raw, req.country);
  if (!phone.ok) throw new ValidationError('Invalid mobile', [{ name: 'mobile', detail: phone.reason }]);
  const digits = phone.e164.slice(1);
  const fields = parseInput(EditFields, req.fields, 'Invalid body', 'body.fields');
  await viaVendor(() => api.updateJourneyContact(id, digits, { fields }));
  return { journeyId: String(id), mobile: digits, updated: Object.keys(fields) };
}
const EditFields = z.record(z.string(), z.string());

/**
 * `POST /rungopher/campaigns/{campaignId}/estimate` `{csv?, mode, country, map}`: with a CSV, the
 * validation report and the upload's cost; without, the segments of the campaign's SMS contents.
 */
export async function estimate(api: CampaignApi, campaignId: string | undefined, body: string | undefined) {
  const id = numericId(campaignId, 'campaignId');
  const req = jsonBody(EstimateRequest, body ?? '{}');
  const campaign = await viaVendor(() => api.getCampaign(id));
  const sms = campaign.smsContent.map((s) => ({ name: s.name, ...countSegments(s.content) }));
  if (req.csv === undefined) return { campaignId: String(campaign.id), sms };
  const report = readUploadCsv(campaign, { csv: req.csv, mode: req.mode, country: req.country, map: req.map });
  const cost = estimateCost(campaign, report.contacts);
  return {
    campaignId: String(campaign.id),
    sms,
    validation: {
      rows: report.rows,
      valid: report.contacts.length,
      invalid: report.invalid.length,
      duplicates: report.duplicates.length,
      missingColumns: report.missingColumns,
      ignoredHeaders: report.ignoredHeaders,
      columns: report.columns,
      problems: problemLines(report).slice(0, 100).map((i) => `${i.name}: ${i.detail}`),
    },
    estimate: { ...cost, extraCases: cost.extraCases.slice(0, 100), extraCaseCount: cost.extraCases.length },
  };
}
