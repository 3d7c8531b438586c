import * as z from 'zod';

/**
 * Rungopher campaign API v1.3 (templates, campaigns, contact upload, journey contact update): one
 * schema per request and response. Requests are strict (an unknown key is a mistake we catch before
 * the vendor does); responses are loose (`z.looseObject`), so a field the vendor adds later is kept,
 * not an error.
 */

/** Most contacts one upload request may carry (the document's limit). */
export const MAX_CONTACTS_PER_UPLOAD = 30_000;
/** SMS content length bounds for an edit (the document's rule). */
export const SMS_CONTENT_MIN = 1;
export const SMS_CONTENT_MAX = 1000;

/** Template categories the document lists; others are kept as strings. */
export const TEMPLATE_CATEGORIES = ['General', 'Charities', 'Marketing'] as const;

/** Money: the document calls it decimal; some JSON encoders send decimals as strings, so accept both. */
const Money = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().nonnegative());

/** `GET api/v1/template` item. */
export const Template = z.looseObject({
  category: z.string(),
  name: z.string().min(1),
  displayName: z.string(),
  description: z.string(),
  diagramUrl: z.string().optional(),
  costPerContact: Money,
});
export type Template = z.infer<typeof Template>;
export const TemplateList = z.array(Template);

/** One piece of SMS content of a campaign. */
export const SmsContent = z.looseObject({
  name: z.string().min(1),
  displayName: z.string(),
  content: z.string(),
});
export type SmsContent = z.infer<typeof SmsContent>;

export const CAMPAIGN_STATES = ['draft', 'running', 'completed'] as const;

/** A campaign as `GET`, `POST` (create) and `POST` (edit) return it. */
export const Campaign = z.looseObject({
  id: z.number().int(),
  title: z.string(),
  campaignToken: z.string(),
  /** One of draft, running, completed; kept as a string if the vendor adds a state. */
  state: z.string(),
  transitionEmail: z.string(),
  costPerContact: Money,
  costPerExtraSms: Money,
  costPerTransition: Money,
  smsContent: z.array(SmsContent),
  requiredFields: z.array(z.string()),
});
export type Campaign = z.infer<typeof Campaign>;
export const CampaignList = z.array(Campaign);

/** `POST api/v1/campaign`: a campaign from a template. */
export const CreateCampaignRequest = z.strictObject({
  name: z.string().min(1, 'template name is required'),
  title: z.string().min(1, 'title is required'),
  transitionEmail: z.email('transitionEmail must be an e-mail address'),
});
export type CreateCampaignRequest = z.infer<typeof CreateCampaignRequest>;

/** One SMS content edit. */
export const SmsContentEdit = z.strictObject({
  name: z.string().min(1, 'smsContent name is required'),
  content: z
    .string()
    .min(SMS_CONTENT_MIN, `SMS content must be between ${SMS_CONTENT_MIN} and ${SMS_CONTENT_MAX} characters`)
    .refine((s) => Array.from(s).length <= SMS_CONTENT_MAX, `SMS content must be between ${SMS_CONTENT_MIN} and ${SMS_CONTENT_MAX} characters`),
});
export type SmsContentEdit = z.infer<typeof SmsContentEdit>;

/**
 * `POST api/v1/campaign/<id>` (edit). The document's criteria: transitionEmail and smsContent are both
 * optional but at least one is given; smsContent, if given, has at least one item; each name at most
 * once; each content 1-1000 characters.
 */
export const EditCampaignRequest = z
  .strictObject({
    transitionEmail: z.email('transitionEmail must be an e-mail address').optional(),
    smsContent: z.array(SmsContentEdit).min(1, 'smsContent must contain at least one item').optional(),
  })
  .superRefine((req, ctx) => {
    if (req.transitionEmail === undefined && req.smsContent === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give transitionEmail, smsContent or both' });
    }
    const seen = new Set<string>();
    for (const [i, item] of (req.smsContent ?? []).entries()) {
      if (seen.has(item.name)) {
        ctx.addIssue({ code: 'custom', path: ['smsContent', i, 'name'], message: `smsContent name "${item.name}" appears more than once` });
      }
      seen.add(item.name);
    }
  });
export type EditCampaignRequest = z.infer<typeof EditCampaignRequest>;

/** Fields every contact must have. */
export const MANDATORY_CONTACT_FIELDS = ['contactId', 'firstName', 'lastName', 'mobile'] as const;
/** Fields some solutions need. */
export const SOLUTION_CONTACT_FIELDS = ['email', 'weblink', 'addressToVerify', 'bouncedAddress', 'upgradeAmount'] as const;
/** Free fields. */
export const CUSTOM_CONTACT_FIELDS = ['custom1', 'custom2', 'custom3', 'custom4'] as const;
/** Every contact attribute the document names. */
export const CONTACT_FIELDS = [...MANDATORY_CONTACT_FIELDS, ...SOLUTION_CONTACT_FIELDS, ...CUSTOM_CONTACT_FIELDS] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

const Text = z.string().trim().min(1);

/** One contact of an upload. `mobile` is E.164 with the `+` (the document's preferred form). */
export const Contact = z.strictObject({
  contactId: Text,
  firstName: Text,
  lastName: Text,
  mobile: z.string().regex(/^\+[1-9]\d{6,14}$/, 'mobile must be E.164, e.g. +61468403000'),
  email: z.email('email must be an e-mail address').optional(),
  weblink: z.url('weblink must be a URL').optional(),
  addressToVerify: Text.optional(),
  bouncedAddress: Text.optional(),
  upgradeAmount: Text.optional(),
  custom1: z.string().optional(),
  custom2: z.string().optional(),
  custom3: z.string().optional(),
  custom4: z.string().optional(),
});
export type Contact = z.infer<typeof Contact>;

export const UPLOAD_MODES = ['live', 'test'] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

/** `POST api/v1/campaign/<id>/contact`: 1 to 30,000 contacts, started at once. */
export const UploadContactsRequest = z.strictObject({
  mode: z.enum(UPLOAD_MODES),
  contacts: z
    .array(Contact)
    .min(1, 'at least one contact is required')
    .max(MAX_CONTACTS_PER_UPLOAD, `at most ${MAX_CONTACTS_PER_UPLOAD} contacts per request`),
});
export type UploadContactsRequest = z.infer<typeof UploadContactsRequest>;

/** Upload answer: how many were started; skipped contacts come back as warnings. */
export const UploadContactsResponse = z.looseObject({
  started: z.number().int().nonnegative(),
  warnings: z.array(z.string()).default([]),
});
export type UploadContactsResponse = z.infer<typeof UploadContactsResponse>;

/**
 * Missing required fields of a contact, given the campaign's `requiredFields`. The vendor skips such a
 * contact with a warning; we catch it before sending.
 */
export function missingRequiredFields(contact: Partial<Record<string, string>>, requiredFields: readonly string[]): string[] {
  return requiredFields.filter((f) => {
    const v = contact[f];
    return v === undefined || v.trim() === '';
  });
}

/** Fields a journey contact update may change directly. */
export const JOURNEY_PLAIN_FIELDS = ['firstName', 'lastName', ...CUSTOM_CONTACT_FIELDS] as const;
/** A solution-specific field in the journey form `campaignName.fieldName`. */
const JOURNEY_SOLUTION_FIELD = new RegExp(`^[^.\\s]+\\.(${SOLUTION_CONTACT_FIELDS.join('|')})$`);

/** True when `name` may be sent in a journey contact update. */
export function isAllowedJourneyField(name: string): boolean {
  return (JOURNEY_PLAIN_FIELDS as readonly string[]).includes(name) || JOURNEY_SOLUTION_FIELD.test(name);
}

/** The journey path's mobile: country code and number, digits only, no `+` (e.g. 61468403000). */
export const JourneyMobile = z.string().regex(/^[1-9]\d{6,14}$/, 'mobile must be digits with the country code and no "+", e.g. 61468403000');

/**
 * `PUT api/v1/journey/<journeyId>/contact/<mobile>`. Only firstName, lastName, custom1-4 and
 * `campaignName.fieldName` solution fields are allowed (the document's JSON example is not valid JSON;
 * this is the shape it means).
 */
export const JourneyContactUpdateRequest = z.strictObject({
  fields: z
    .record(z.string(), z.string())
    .refine((f) => Object.keys(f).length > 0, 'fields must name at least one field')
    .superRefine((f, ctx) => {
      for (const key of Object.keys(f)) {
        if (!isAllowedJourneyField(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `field "${key}" cannot be updated; allowed: ${JOURNEY_PLAIN_FIELDS.join(', ')}, or campaignName.(${SOLUTION_CONTACT_FIELDS.join('|')})`,
          });
        }
      }
    }),
});
export type JourneyContactUpdateRequest = z.infer<typeof JourneyContactUpdateRequest>;

/** The vendor's error body. */
export const RungopherErrorBody = z.looseObject({ errors: z.array(z.string()) });
