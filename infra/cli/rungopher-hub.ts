import { Campaign, type CreateCampaignRequest, type EditCampaignRequest } from '#rungopher/domain/campaign.ts';
import type { HubClient } from './hub-client.ts';

/**
 * The Rungopher routes of the hub, typed, over the one hub client: campaign work with the hub's own
 * API key (the operator needs only the operator token).
 */

export const RUNGOPHER_HUB_OPERATIONS = [
  'GET /rungopher/templates',
  'GET /rungopher/campaigns',
  'POST /rungopher/campaigns',
  'GET /rungopher/campaigns/{campaignId}',
  'PUT /rungopher/campaigns/{campaignId}',
  'POST /rungopher/campaigns/{campaignId}/estimate',
  'POST /rungopher/campaigns/{campaignId}/uploads',
  'GET /rungopher/uploads/{jobId}',
  'PUT /rungopher/journeys/{journeyId}/contacts/{mobile}',
  'POST /rungopher/replay',
] as const;

export interface HubTemplate {
  readonly name: string;
  readonly category: string;
  readonly displayName: string;
  readonly description: string;
  readonly costPerContact: number;
}

/** An upload job with its progress and batches (`GET /rungopher/uploads/{jobId}`). */
export interface HubUploadJob {
  readonly jobId: string;
  readonly campaignId: string;
  readonly campaignTitle: string;
  readonly state: 'queued' | 'running' | 'done' | 'failed';
  readonly mode: 'live' | 'test';
  readonly contacts: number;
  readonly rows: number;
  readonly invalid: number;
  readonly duplicates: number;
  readonly error?: string;
  readonly skippedRows?: string[];
  readonly progress: { batchesDone: number; batches: number; contactsDone: number; contacts: number; sent: number; started: number; alreadyStarted: number; unknownHeld: number; skipped: number };
  readonly batches: { batch: number; state: string; size: number; firstLine: number; lastLine: number; sent: number; started: number; alreadyStarted: number; unknownHeld: number; skipped: number; warnings: string[]; warningCount: number; error?: string }[];
  readonly estimate: { totalVendor: number; totalCarrier: number; extraSegmentsVendor: number; extraSegmentsCarrier: number };
}

export interface UploadJobBody {
  readonly csv: string;
  readonly mode: 'live' | 'test';
  readonly country: string;
  readonly map: Record<string, string>;
  readonly skipInvalid: boolean;
  readonly resendUnknown: boolean;
  readonly batchSize: number;
  readonly file?: string;
}

/** `POST /rungopher/campaigns/{id}/estimate`. */
export interface HubEstimate {
  readonly campaignId: string;
  readonly sms: { name: string; characters: number; vendorSegments: number; carrierSegments: number; encoding: string; units: number; nonGsmCharacters: string[] }[];
  readonly validation?: { rows: number; valid: number; invalid: number; duplicates: number; missingColumns: string[]; ignoredHeaders: string[]; columns: { header: string; field?: string }[]; problems: string[] };
  readonly estimate?: {
    contacts: number;
    costPerContact: number;
    costPerExtraSms: number;
    contactCost: number;
    extraSegmentsVendor: number;
    extraSegmentsCarrier: number;
    extraCostVendor: number;
    extraCostCarrier: number;
    totalVendor: number;
    totalCarrier: number;
    extraCaseCount: number;
  };
}

/** A campaign from the hub (id a string there) as the vendor's schema reads it, so the CLI prints it alike. */
const asCampaign = (c: unknown): Campaign => Campaign.parse({ ...(c as Record<string, unknown>), id: Number((c as { id?: unknown }).id) });

/** The Rungopher part of the hub's API. */
export function rungopherHub(hub: HubClient) {
  const seg = encodeURIComponent;
  return {
    templates: () => hub.pages<HubTemplate>('/rungopher/templates', { limit: 1000 }),
    listCampaigns: async () => (await hub.pages<unknown>('/rungopher/campaigns', { limit: 1000 })).map(asCampaign),
    getCampaign: async (id: number) => asCampaign(await hub.request('GET', `/rungopher/campaigns/${id}`)),
    createCampaign: async (body: CreateCampaignRequest) => asCampaign(await hub.request('POST', '/rungopher/campaigns', { body })),
    editCampaign: async (id: number, body: EditCampaignRequest) => asCampaign(await hub.request('PUT', `/rungopher/campaigns/${id}`, { body })),
    estimate: (id: number, body: { csv?: string; mode?: string; country?: string; map?: Record<string, string> }) => hub.request<HubEstimate>('POST', `/rungopher/campaigns/${id}/estimate`, { body }),
    startUpload: (id: number, body: UploadJobBody) => hub.request<HubUploadJob>('POST', `/rungopher/campaigns/${id}/uploads`, { body }),
    upload: (jobId: string) => hub.request<HubUploadJob>('GET', `/rungopher/uploads/${seg(jobId)}`),
    updateJourneyContact: (journeyId: number, mobile: string, body: { fields: Record<string, string>; country?: string }) =>
      hub.request<{ journeyId: string; mobile: string; updated: string[] }>('PUT', `/rungopher/journeys/${journeyId}/contacts/${seg(mobile)}`, { body }),
    replay: (cursor?: string) => hub.request<{ replayed: number; skippedCount: number; skipped: { id: string; reason: string }[]; nextCursor: string | null }>('POST', '/rungopher/replay', { query: { cursor } }),
  };
}
export type RungopherHub = ReturnType<typeof rungopherHub>;
