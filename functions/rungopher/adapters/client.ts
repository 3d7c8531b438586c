import type { z } from 'zod';
import {
  Campaign,
  CampaignList,
  CreateCampaignRequest,
  EditCampaignRequest,
  JourneyContactUpdateRequest,
  JourneyMobile,
  TemplateList,
  UploadContactsRequest,
  UploadContactsResponse,
  type Template,
  type UploadContactsResponse as UploadContactsResult,
} from '#rungopher/domain/campaign.ts';
import { resultsPath, type ResultEndpoint } from '#rungopher/domain/results-polling.ts';
import { ValidationError, VendorError } from '#platform/errors.ts';
import { issueLines, parseInput } from '#platform/validation.ts';
import { backoffDelay, vendorRequest, type FetchLike, type RetryPolicy, type VendorRequest } from '#platform/vendor-http.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Rungopher's production API. */
export const RUNGOPHER_DEFAULT_BASE_URL = 'https://portal.rungopher.com/api/v1';

const VENDOR = 'rungopher';

export interface RungopherClientOptions {
  /** Base URL up to and including `/api/v1`. @default https://portal.rungopher.com/api/v1 */
  readonly baseUrl?: string;
  /** Sent as the `ApiKey` header. */
  readonly apiKey: string;
  /** Retry policy for reads (GET). @default vendorRequest's defaults */
  readonly retry?: RetryPolicy;
  /** Per-attempt timeout. @default 10_000; uploads get 120_000 since 30,000 contacts take a while */
  readonly timeoutMs?: number;
  /** Injected to count calls in tests and the benchmark. */
  readonly fetchImpl?: FetchLike;
}

/**
 * Typed client for the Rungopher API. Requests are validated before they leave (a {@link ValidationError}
 * listing every issue), responses are validated when they come back (a non-retryable
 * {@link VendorError} if the shape is wrong), and the vendor's `{"errors": [...]}` becomes a
 * {@link VendorError} whose message and `vendorMessages` carry those strings.
 */
export class RungopherClient {
  private readonly base: string;

  constructor(private readonly options: RungopherClientOptions) {
    if (!options.apiKey) throw new ValidationError('Rungopher API key is empty: set RUNGOPHER_API_KEY');
    this.base = (options.baseUrl ?? RUNGOPHER_DEFAULT_BASE_URL).replace(/\/+$/, '') + '/';
  }

  /** `GET api/v1/template`. */
  async templates(): Promise<Template[]> {
    return this.call('GET', 'template', TemplateList);
  }

  /** `GET api/v1/campaign`. */
  async listCampaigns(): Promise<Campaign[]> {
    return this.call('GET', 'campaign', CampaignList);
  }

  /** `GET api/v1/campaign/<id>`; a 404 is a VendorError with status 404 ("No such campaign"). */
  async getCampaign(id: number): Promise<Campaign> {
    return this.call('GET', `campaign/${campaignIdPath(id)}`, Campaign);
  }

  /** `POST api/v1/campaign`: a new draft campaign from a template. */
  async createCampaign(request: CreateCampaignRequest): Promise<Campaign> {
    // Not retried: a 5xx or timeout may have created the campaign, and a retry would create a second one.
    return this.call('POST', 'campaign', Campaign, validate(CreateCampaignRequest, request, 'create campaign'), { maxAttempts: 1, retryUnknownOutcome: false });
  }

  /** `POST api/v1/campaign/<id>`: edit transitionEmail and/or SMS contents. */
  async editCampaign(id: number, request: EditCampaignRequest): Promise<Campaign> {
    return this.call('POST', `campaign/${campaignIdPath(id)}`, Campaign, validate(EditCampaignRequest, request, 'edit campaign'));
  }

  /**
   * `POST api/v1/campaign/<id>/contact`: starts 1 to 30,000 contacts. This sends SMS to real people,
   * so it is never retried when the outcome is unknown (timeout, 5xx): the caller decides. Only a 429,
   * which the vendor answers before doing anything, is retried here with jittered back-off.
   */
  async uploadContacts(id: number, request: UploadContactsRequest): Promise<UploadContactsResult> {
    const body = validate(UploadContactsRequest, request, 'contact upload');
    const attempts = 4;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call('POST', `campaign/${campaignIdPath(id)}/contact`, UploadContactsResponse, body, {
          maxAttempts: 1,
          retryUnknownOutcome: false,
          timeoutMs: this.options.timeoutMs ?? 120_000,
        });
      } catch (err) {
        if (!(err instanceof VendorError) || err.status !== 429 || attempt + 1 >= attempts) throw err;
        await sleep(err.retryAfterSeconds !== undefined ? Math.min(err.retryAfterSeconds * 1000, 30_000) : backoffDelay(attempt + 1, 500, 10_000));
      }
    }
  }

  /**
   * `PUT api/v1/journey/<journeyId>/contact/<mobile>`. `mobile` is digits with the country code and no
   * `+` (a leading `+` is removed here, since the upload path uses it and people paste it).
   */
  async updateJourneyContact(journeyId: number, mobile: string, request: JourneyContactUpdateRequest): Promise<void> {
    const digits = validate(JourneyMobile, mobile.trim().replace(/^\+/, ''), 'journey contact update');
    const body = validate(JourneyContactUpdateRequest, request, 'journey contact update');
    await this.send('PUT', `journey/${campaignIdPath(journeyId)}/contact/${encodeURIComponent(digits)}`, body, { retryUnknownOutcome: true });
  }

  /**
   * `GET api/v1/results/<endpoint>?after=<iso>`: the raw items (the caller validates each one, so one
   * bad item does not hide the others). Retries 429/5xx/timeouts with jitter until `policy.deadline`.
   */
  async results(endpoint: ResultEndpoint, afterIso: string, policy: RetryPolicy = {}): Promise<unknown[]> {
    const res = await this.send('GET', resultsPath(endpoint, afterIso), undefined, { ...this.options.retry, ...policy });
    if (!Array.isArray(res)) throw new VendorError(`${VENDOR} GET results/${endpoint}: expected a JSON array`, VENDOR, 200, false, false);
    return res;
  }

  private async call<S extends z.ZodType>(method: VendorRequest['method'], path: string, schema: S, json?: unknown, policy?: RetryPolicy & { timeoutMs?: number }): Promise<z.infer<S>> {
    const body = await this.send(method, path, json, policy);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new VendorError(`${VENDOR} ${method} ${path}: unexpected response: ${issueLines(parsed.error).slice(0, 5).join('; ')}`, VENDOR, 200, false, false);
    }
    return parsed.data;
  }

  private async send(method: VendorRequest['method'], path: string, json: unknown, policy: RetryPolicy & { timeoutMs?: number } = {}): Promise<unknown> {
    const { timeoutMs, ...retry } = policy;
    const url = new URL(path, this.base);
    const res = await vendorRequest(
      VENDOR,
      { method, url, headers: { ApiKey: this.options.apiKey }, json, timeoutMs: timeoutMs ?? this.options.timeoutMs ?? 10_000 },
      { ...(method === 'GET' ? this.options.retry : {}), ...retry },
      this.options.fetchImpl,
    );
    return res.body;
  }
}

/** A request checked before it is sent: a 400 naming each field (the vendor would refuse it anyway). */
function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  return parseInput(schema, value, `Invalid ${what} request`);
}

function campaignIdPath(id: number): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new ValidationError(`Invalid id ${id}: a non-negative integer is expected`);
  return String(id);
}
