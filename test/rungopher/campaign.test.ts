import { describe, expect, it } from 'vitest';
import { issueLines } from '#platform/validation.ts';
import type { ZodError } from 'zod';
import {
  Campaign,
  CreateCampaignRequest,
  EditCampaignRequest,
  JourneyContactUpdateRequest,
  JourneyMobile,
  TemplateList,
  UploadContactsRequest,
  UploadContactsResponse,
  isAllowedJourneyField,
  missingRequiredFields,
} from '#rungopher/domain/campaign.ts';

const docCampaign = {
  id: 15,
  title: 'T1001: My Great Event Opt In',
  campaignToken: '143-dfvsm-3r3ndkd',
  state: 'draft',
  transitionEmail: 'mark.hingston@rungopher.com',
  costPerContact: 0.34,
  costPerExtraSms: 0.04,
  costPerTransition: 0.05,
  smsContent: [
    { name: 'smsInterested', displayName: 'A. Interested in offer?', content: "Hi! It's <Sue> from <My Company> here." },
    { name: 'smsAcceptReply', displayName: 'B. Accept reply', content: "Thanks! We'll be in touch shortly" },
  ],
  requiredFields: ['firstName', 'lastName', 'mobile', 'contactId'],
};

const issues = (r: { success: boolean; error?: ZodError }): string[] => (r.success || !r.error ? [] : issueLines(r.error));

describe('responses', () => {
  it('parses the document samples and keeps fields the vendor adds', () => {
    const c = Campaign.parse({ ...docCampaign, newField: 1 });
    expect(c.costPerExtraSms).toBe(0.04);
    expect((c as Record<string, unknown>).newField).toBe(1);
    expect(TemplateList.parse([{ category: 'General', name: 'AcceptDecline', displayName: 'x', description: 'y', costPerContact: 0.34 }])[0]?.name).toBe('AcceptDecline');
  });
  it('accepts decimals sent as strings', () => {
    expect(Campaign.parse({ ...docCampaign, costPerContact: '0.34' }).costPerContact).toBe(0.34);
  });
  it('rejects a campaign without prices', () => {
    const { costPerExtraSms: _drop, ...rest } = docCampaign;
    expect(Campaign.safeParse(rest).success).toBe(false);
  });
  it('reads started and warnings, warnings defaulting to none', () => {
    expect(UploadContactsResponse.parse({ started: 10 })).toEqual({ started: 10, warnings: [] });
    expect(UploadContactsResponse.parse({ started: 8, warnings: ['Mobile number +61468403100 already exists in this campaign, skipped'] }).warnings).toHaveLength(1);
  });
});

describe('create', () => {
  it('needs a template name, a title and an e-mail', () => {
    expect(CreateCampaignRequest.safeParse({ name: 'AcceptDecline', title: 'T', transitionEmail: 'a@b.co' }).success).toBe(true);
    const r = CreateCampaignRequest.safeParse({ name: '', title: '', transitionEmail: 'nope' });
    expect(issues(r).join('\n')).toMatch(/template name is required[\s\S]*title is required[\s\S]*e-mail/);
  });
});

describe('edit criteria', () => {
  it('accepts transitionEmail alone, smsContent alone, or both', () => {
    expect(EditCampaignRequest.safeParse({ transitionEmail: 'a@b.co' }).success).toBe(true);
    expect(EditCampaignRequest.safeParse({ smsContent: [{ name: 'a', content: 'x' }] }).success).toBe(true);
    expect(EditCampaignRequest.safeParse({ transitionEmail: 'a@b.co', smsContent: [{ name: 'a', content: 'x' }] }).success).toBe(true);
  });
  it('refuses an empty edit', () => {
    expect(issues(EditCampaignRequest.safeParse({}))).toContain('give transitionEmail, smsContent or both');
  });
  it('refuses an empty smsContent list', () => {
    expect(issues(EditCampaignRequest.safeParse({ smsContent: [] })).join()).toMatch(/at least one item/);
  });
  it('refuses a name given twice', () => {
    const r = EditCampaignRequest.safeParse({ smsContent: [{ name: 'a', content: 'x' }, { name: 'a', content: 'y' }] });
    expect(issues(r).join()).toMatch(/"a" appears more than once/);
  });
  it('content must be 1 to 1000 characters (emoji count as one)', () => {
    expect(EditCampaignRequest.safeParse({ smsContent: [{ name: 'a', content: '' }] }).success).toBe(false);
    expect(EditCampaignRequest.safeParse({ smsContent: [{ name: 'a', content: 'x'.repeat(1000) }] }).success).toBe(true);
    expect(EditCampaignRequest.safeParse({ smsContent: [{ name: 'a', content: 'x'.repeat(1001) }] }).success).toBe(false);
    expect(EditCampaignRequest.safeParse({ smsContent: [{ name: 'a', content: '😀'.repeat(1000) }] }).success).toBe(true);
  });
  it('refuses fields that are not editable', () => {
    expect(EditCampaignRequest.safeParse({ title: 'new', transitionEmail: 'a@b.co' }).success).toBe(false);
  });
});

describe('contact upload', () => {
  const contact = { contactId: '1', firstName: 'Mark', lastName: 'Jones', mobile: '+61468403000' };
  it('takes 1 to 30,000 contacts in live or test mode', () => {
    expect(UploadContactsRequest.safeParse({ mode: 'live', contacts: [contact] }).success).toBe(true);
    expect(UploadContactsRequest.safeParse({ mode: 'test', contacts: Array(30_000).fill(contact) }).success).toBe(true);
    expect(issues(UploadContactsRequest.safeParse({ mode: 'live', contacts: Array(30_001).fill(contact) })).join()).toMatch(/at most 30000/);
    expect(issues(UploadContactsRequest.safeParse({ mode: 'live', contacts: [] })).join()).toMatch(/at least one/);
    expect(UploadContactsRequest.safeParse({ mode: 'dry', contacts: [contact] }).success).toBe(false);
  });
  it('takes solution-specific and custom fields, refuses unknown ones and a mobile without +', () => {
    const full = { ...contact, email: 'm@x.co', weblink: 'https://x.co/a', addressToVerify: '1 St', bouncedAddress: '2 St', upgradeAmount: '5', custom1: 'a', custom2: 'b', custom3: 'c', custom4: 'd' };
    expect(UploadContactsRequest.safeParse({ mode: 'live', contacts: [full] }).success).toBe(true);
    expect(UploadContactsRequest.safeParse({ mode: 'live', contacts: [{ ...contact, custom5: 'x' }] }).success).toBe(false);
    expect(UploadContactsRequest.safeParse({ mode: 'live', contacts: [{ ...contact, mobile: '0468403000' }] }).success).toBe(false);
  });
  it('names the campaign requiredFields a contact lacks', () => {
    expect(missingRequiredFields({ contactId: '1', firstName: 'a', lastName: ' ', mobile: '+61' }, ['firstName', 'lastName', 'weblink'])).toEqual(['lastName', 'weblink']);
  });
});

describe('journey contact update', () => {
  it('allows firstName, lastName, custom1-4 and campaignName.solutionField only', () => {
    for (const f of ['firstName', 'lastName', 'custom1', 'custom4', 'promo.weblink', 'promo.email', 'my-camp.upgradeAmount']) expect(isAllowedJourneyField(f), f).toBe(true);
    for (const f of ['mobile', 'contactId', 'custom5', 'weblink', 'promo.firstName', '.weblink', 'a.b.weblink']) expect(isAllowedJourneyField(f), f).toBe(false);
  });
  it('parses the document example (made valid JSON) and refuses an empty or disallowed update', () => {
    expect(JourneyContactUpdateRequest.safeParse({ fields: { firstName: 'Justin', lastName: 'Vanier', custom1: 'new custom value', 'promo.weblink': 'https://example.com/m24j4F' } }).success).toBe(true);
    expect(JourneyContactUpdateRequest.safeParse({ fields: {} }).success).toBe(false);
    expect(issues(JourneyContactUpdateRequest.safeParse({ fields: { mobile: '61400000000' } })).join()).toMatch(/field "mobile" cannot be updated/);
  });
  it('the path mobile has a country code and no +', () => {
    expect(JourneyMobile.safeParse('61468403000').success).toBe(true);
    expect(JourneyMobile.safeParse('+61468403000').success).toBe(false);
    expect(JourneyMobile.safeParse('0468403000').success).toBe(false);
  });
});
