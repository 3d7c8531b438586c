import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RungopherClient } from '#rungopher/adapters/client.ts';
import { ValidationError, VendorError } from '#platform/errors.ts';
import { startRungopherSandbox, type RungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';
import { sampleResult } from './env.ts';

/** The typed client against the sandbox: every call, every error the document names. */

const KEY = 'client-test-key';
let sandbox: RungopherSandbox;
let client: RungopherClient;

beforeAll(async () => {
  sandbox = await startRungopherSandbox({ apiKey: KEY });
  client = new RungopherClient({ baseUrl: sandbox.url, apiKey: KEY, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
});
afterAll(() => sandbox?.stop());

/** Sends a request as it is, past the client's own validation, to see the sandbox's answer. */
async function raw(method: string, path: string, body?: unknown, key = KEY): Promise<{ status: number; body: { errors?: string[] } }> {
  const res = await fetch(`${sandbox.url}/${path}`, { method, headers: { ApiKey: key, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as { errors?: string[] } };
}

async function vendorError(p: Promise<unknown>): Promise<VendorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(err)}`);
  return err;
}

const contact = (i: number, extra: Record<string, string> = {}) => ({ contactId: String(i), firstName: 'F' + i, lastName: 'L' + i, mobile: `+614684030${String(i).padStart(2, '0')}`, ...extra });

describe('authentication', () => {
  it('sends the ApiKey header; a wrong or missing key is a 401 with the vendor message', async () => {
    expect((await client.templates()).length).toBeGreaterThan(0);
    const wrong = new RungopherClient({ baseUrl: sandbox.url, apiKey: 'nope' });
    const err = await vendorError(wrong.templates());
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/answered 401: Not logged in/);
    expect((await raw('GET', 'template', undefined, '')).status).toBe(401);
    expect(() => new RungopherClient({ baseUrl: sandbox.url, apiKey: '' })).toThrow(/RUNGOPHER_API_KEY/);
  });
});

describe('templates and campaigns', () => {
  it('lists templates and campaigns, gets one, and a missing one is 404 "No such campaign"', async () => {
    const templates = await client.templates();
    expect(templates.map((t) => t.name)).toEqual(['AcceptDecline', 'TellYourFriends']);
    const list = await client.listCampaigns();
    expect(list.map((c) => c.id)).toEqual(expect.arrayContaining([15, 16]));
    const c = await client.getCampaign(15);
    expect(c).toMatchObject({ id: 15, costPerExtraSms: 0.04, requiredFields: ['contactId', 'firstName', 'lastName', 'mobile'] });
    const err = await vendorError(client.getCampaign(999));
    expect(err.status).toBe(404);
    expect(err.vendorMessages).toEqual(['No such campaign']);
  });

  it('creates a campaign from a template; bad input is refused by the client before sending and by the vendor', async () => {
    const created = await client.createCampaign({ name: 'TellYourFriends', title: 'T2001: Share', transitionEmail: 'ops@example.com' });
    expect(created).toMatchObject({ title: 'T2001: Share', state: 'draft', costPerContact: 0.56 });
    expect(created.requiredFields).toContain('weblink');

    const calls = sandbox.calls.length;
    await expect(client.createCampaign({ name: '', title: '', transitionEmail: 'x' })).rejects.toBeInstanceOf(ValidationError);
    expect(sandbox.calls.length).toBe(calls);

    const unknown = await vendorError(client.createCampaign({ name: 'NoSuchTemplate', title: 'x', transitionEmail: 'a@b.co' }));
    expect(unknown.status).toBe(400);
    expect(unknown.vendorMessages).toEqual(['No such template: NoSuchTemplate']);
    const bad = await raw('POST', 'campaign', { name: 'AcceptDecline', title: '', transitionEmail: 'nope' });
    expect(bad).toEqual({ status: 400, body: { errors: ['title is required', 'transitionEmail must be a valid email address'] } });
  });

  it('edits transitionEmail and SMS content', async () => {
    const edited = await client.editCampaign(15, { transitionEmail: 'new@example.com', smsContent: [{ name: 'smsAcceptReply', content: "Great! We'll give you a call shortly" }] });
    expect(edited.transitionEmail).toBe('new@example.com');
    expect(edited.smsContent.find((s) => s.name === 'smsAcceptReply')?.content).toBe("Great! We'll give you a call shortly");
  });

  it.each([
    ['nothing to edit', {}, /Nothing to edit/],
    ['an empty smsContent', { smsContent: [] }, /at least one object/],
    ['a name twice', { smsContent: [{ name: 'smsHello', content: 'a' }, { name: 'smsHello', content: 'b' }] }, /only once in smsContent: smsHello/],
    ['empty content', { smsContent: [{ name: 'smsHello', content: '' }] }, /between 1 and 1000 characters/],
    ['1001 characters', { smsContent: [{ name: 'smsHello', content: 'x'.repeat(1001) }] }, /between 1 and 1000 characters/],
    ['a bad e-mail', { transitionEmail: 'not-an-email' }, /transitionEmail must be a valid email/],
    ['a non-editable field', { title: 'x' }, /Not editable: title/],
  ])('edit with %s: the client refuses it and so does the vendor', async (_label, body, message) => {
    const calls = sandbox.calls.length;
    await expect(client.editCampaign(16, body as never)).rejects.toBeInstanceOf(ValidationError);
    expect(sandbox.calls.length).toBe(calls);
    const r = await raw('POST', 'campaign/16', body);
    expect(r.status).toBe(400);
    expect(r.body.errors?.join()).toMatch(message);
  });

  it('edit of an SMS name the campaign does not have is a vendor 400; of a completed campaign a 403', async () => {
    const err = await vendorError(client.editCampaign(16, { smsContent: [{ name: 'smsNope', content: 'x' }] }));
    expect(err.vendorMessages).toEqual(['No such sms content: smsNope']);
    const created = await client.createCampaign({ name: 'AcceptDecline', title: 'done', transitionEmail: 'a@b.co' });
    sandbox.setCampaignState(created.id, 'completed');
    const denied = await vendorError(client.editCampaign(created.id, { transitionEmail: 'x@y.co' }));
    expect(denied.status).toBe(403);
  });
});

describe('contact upload', () => {
  it('starts contacts and reports started and warnings; live mode skips a mobile already in the campaign', async () => {
    const c = await client.createCampaign({ name: 'AcceptDecline', title: 'upload', transitionEmail: 'a@b.co' });
    const first = await client.uploadContacts(c.id, { mode: 'live', contacts: [contact(1), contact(2)] });
    expect(first).toEqual({ started: 2, warnings: [] });
    const again = await client.uploadContacts(c.id, { mode: 'live', contacts: [contact(2), contact(3)] });
    expect(again.started).toBe(1);
    expect(again.warnings).toEqual(['Mobile number +61468403002 already exists in this campaign, skipped']);
    expect((await client.getCampaign(c.id)).state).toBe('running');
  });

  it('test mode may reuse a mobile', async () => {
    const c = await client.createCampaign({ name: 'AcceptDecline', title: 'test mode', transitionEmail: 'a@b.co' });
    await client.uploadContacts(c.id, { mode: 'test', contacts: [contact(1)] });
    expect(await client.uploadContacts(c.id, { mode: 'test', contacts: [contact(1)] })).toEqual({ started: 1, warnings: [] });
  });

  it('takes solution-specific and custom fields; a contact without the campaign requiredFields is skipped with a warning', async () => {
    const c = await client.createCampaign({ name: 'TellYourFriends', title: 'fields', transitionEmail: 'a@b.co' });
    const r = await client.uploadContacts(c.id, { mode: 'live', contacts: [contact(4, { weblink: 'https://x.co/a', custom1: 'gold', email: 'f4@x.co' }), contact(5)] });
    expect(r.started).toBe(1);
    expect(r.warnings).toEqual(['Contact 2 (contactId 5) is missing weblink, skipped']);
    expect(sandbox.contactsOf(c.id)[0]).toMatchObject({ custom1: 'gold', weblink: 'https://x.co/a' });
  });

  it('1 to 30,000 contacts a request, mode live or test: the client refuses the rest, so does the vendor', async () => {
    const many = Array.from({ length: 30_001 }, (_, i) => contact(i % 90));
    await expect(client.uploadContacts(15, { mode: 'live', contacts: many })).rejects.toThrow(ValidationError);
    await expect(client.uploadContacts(15, { mode: 'live', contacts: [] })).rejects.toThrow(ValidationError);
    await expect(client.uploadContacts(15, { mode: 'now' as never, contacts: [contact(1)] })).rejects.toThrow(ValidationError);
    expect((await raw('POST', 'campaign/15/contact', { mode: 'live', contacts: many })).body.errors).toEqual(['contacts must contain between 1 and 30000 contacts (got 30001)']);
    expect((await raw('POST', 'campaign/15/contact', { mode: 'live', contacts: [] })).status).toBe(400);
    expect((await raw('POST', 'campaign/15/contact', { mode: 'now', contacts: [contact(1)] })).body.errors).toEqual(['mode must be live or test']);
    expect((await vendorError(client.uploadContacts(999, { mode: 'live', contacts: [contact(1)] }))).status).toBe(404);
  });

  it('retries an upload on 429 but never on 500 (contacts may have been started)', async () => {
    const c = await client.createCampaign({ name: 'AcceptDecline', title: 'retry', transitionEmail: 'a@b.co' });
    sandbox.injectFault({ status: 429, times: 1, path: `campaign/${c.id}/contact`, retryAfter: 0 });
    expect((await client.uploadContacts(c.id, { mode: 'live', contacts: [contact(7)] })).started).toBe(1);
    sandbox.injectFault({ status: 500, times: 1, path: `campaign/${c.id}/contact` });
    const before = sandbox.calls.length;
    const err = await vendorError(client.uploadContacts(c.id, { mode: 'live', contacts: [contact(8)] }));
    expect(err.status).toBe(500);
    expect(sandbox.calls.slice(before).filter((x) => x.path === `campaign/${c.id}/contact`)).toHaveLength(1);
  });
});

describe('journey contact update', () => {
  it('updates allowed fields; mobile goes without + in the path', async () => {
    const c = await client.createCampaign({ name: 'TellYourFriends', title: 'journey', transitionEmail: 'a@b.co' });
    await client.uploadContacts(c.id, { mode: 'live', contacts: [contact(9, { weblink: 'https://x.co/9' })] });
    const before = sandbox.calls.length;
    await client.updateJourneyContact(c.id, '+61468403009', { fields: { firstName: 'Justin', custom1: 'new custom value', 'promo.weblink': 'https://example.com/m24j4F' } });
    expect(sandbox.calls[before]?.path).toBe(`journey/${c.id}/contact/61468403009`);
    expect(sandbox.contactsOf(c.id)[0]).toMatchObject({ firstName: 'Justin', custom1: 'new custom value', 'promo.weblink': 'https://example.com/m24j4F' });
  });

  it('refuses disallowed fields and bad mobiles, client side and vendor side; an unknown contact is 404', async () => {
    await expect(client.updateJourneyContact(15, '61468403001', { fields: { mobile: '1' } })).rejects.toThrow(ValidationError);
    await expect(client.updateJourneyContact(15, '0468403001', { fields: { firstName: 'x' } })).rejects.toThrow(ValidationError);
    await expect(client.updateJourneyContact(15, '61468403001', { fields: {} })).rejects.toThrow(ValidationError);
    const c = await client.createCampaign({ name: 'TellYourFriends', title: 'journey2', transitionEmail: 'a@b.co' });
    await client.uploadContacts(c.id, { mode: 'live', contacts: [contact(10, { weblink: 'https://x.co/9' })] });
    expect((await raw('PUT', `journey/${c.id}/contact/${encodeURIComponent('+61468403010')}`, { fields: { firstName: 'x' } })).status).toBe(400);
    expect((await raw('PUT', `journey/${c.id}/contact/61468403010`, { fields: { mobile: 'x' } })).body.errors).toEqual(['Field mobile cannot be updated']);
    expect((await raw('PUT', `journey/${c.id}/contact/61468403010`, { fields: { 'other.weblink': 'x' } })).status).toBe(400);
    expect((await vendorError(client.updateJourneyContact(c.id, '61400000000', { fields: { firstName: 'x' } }))).status).toBe(404);
  });
});

describe('results endpoints', () => {
  it('filters by after (exclusive, any offset) and needs the + encoded', async () => {
    const a = sampleResult({ resultName: 'accepted', timestamp: '2017-11-14T10:56:14Z' });
    const b = sampleResult({ resultName: 'accepted', timestamp: '2017-11-14T10:56:15Z' });
    sandbox.addResults([a, b], { deliver: false });
    expect((await client.results('accepted', '2017-11-14T20:56:14+10:00')).map((r) => (r as { id: unknown }).id)).toEqual([b.id]);
    expect(await client.results('accepted', '2017-11-14T10:56:13Z')).toHaveLength(2);
    const unencoded = await fetch(`${sandbox.url}/results/accepted?after=2017-11-14T20:56:14+10:00`, { headers: { ApiKey: KEY } });
    expect(unencoded.status).toBe(400);
    expect(((await unencoded.json()) as { errors: string[] }).errors[0]).toMatch(/encode \+ as %2B/);
    expect((await vendorError(client.results('nope' as never, '2017-01-01T00:00:00Z'))).status).toBe(404);
  });
});
