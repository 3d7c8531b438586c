import { countSegments, type SegmentCount } from './sms.ts';
import { CONTACT_FIELDS, type Contact, type ContactField } from './campaign.ts';

/**
 * Cost estimate for an upload, from the campaign's prices and SMS contents:
 * contacts x costPerContact, plus every segment beyond the first of each SMS once the contact's fields
 * are injected, x costPerExtraSms (the document's "extraSegmentCost" is this field).
 *
 * Assumptions (the document does not say, so they are options):
 * - placeholders are written `{{field}}`, `{field}`, `[field]` or `<field>` with a contact field name
 *   (case-insensitive); other bracketed text, like the templates' `<Sue>`, is left as it is;
 * - a weblink is shortened by Rungopher, so it is counted as `shortLinkLength` characters;
 * - each template's default text is one segment, so every segment beyond one is an extra one;
 * - every contact receives every SMS content once: the figure is an upper bound.
 */

export interface CostOptions {
  /** Characters a shortened, tracked link takes in the SMS. @default 22 */
  readonly shortLinkLength?: number;
}

/** Campaign fields the estimate needs. */
export interface PricedCampaign {
  readonly costPerContact: number;
  readonly costPerExtraSms: number;
  readonly smsContent: readonly { readonly name: string; readonly content: string }[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}|\{\s*([A-Za-z0-9_]+)\s*\}|\[\s*([A-Za-z0-9_]+)\s*\]|<\s*([A-Za-z0-9_]+)\s*>/g;
const FIELD_BY_LOWER = new Map<string, ContactField>(CONTACT_FIELDS.map((f) => [f.toLowerCase(), f]));

/** The SMS text a contact would get: each known placeholder replaced by the contact's value (or ''). */
export function injectFields(content: string, contact: Partial<Contact>, options: CostOptions = {}): string {
  const linkLength = options.shortLinkLength ?? 22;
  return content.replace(PLACEHOLDER, (whole, a?: string, b?: string, c?: string, d?: string) => {
    const field = FIELD_BY_LOWER.get((a ?? b ?? c ?? d ?? '').toLowerCase());
    if (!field) return whole;
    if (field === 'weblink') return contact.weblink ? 'x'.repeat(linkLength) : '';
    return contact[field] ?? '';
  });
}

/** Placeholders of a content that name a contact field. */
export function placeholders(content: string): ContactField[] {
  const out = new Set<ContactField>();
  for (const m of content.matchAll(PLACEHOLDER)) {
    const field = FIELD_BY_LOWER.get((m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').toLowerCase());
    if (field) out.add(field);
  }
  return [...out];
}

/** One SMS of one contact that takes more than one segment. */
export interface ExtraSegmentCase {
  readonly contactId: string;
  readonly mobile: string;
  readonly line?: number;
  readonly sms: string;
  readonly vendorSegments: number;
  readonly carrierSegments: number;
  readonly encoding: SegmentCount['encoding'];
}

export interface SmsCostLine {
  readonly name: string;
  /** The content with placeholders as written. */
  readonly asWritten: SegmentCount;
  readonly contactsWithExtraVendor: number;
  readonly contactsWithExtraCarrier: number;
  readonly extraSegmentsVendor: number;
  readonly extraSegmentsCarrier: number;
  readonly maxVendorSegments: number;
  readonly maxCarrierSegments: number;
}

export interface CostEstimate {
  readonly contacts: number;
  readonly costPerContact: number;
  readonly costPerExtraSms: number;
  readonly contactCost: number;
  readonly sms: readonly SmsCostLine[];
  /** Extra segments by the vendor's rule (what it bills) and by the carrier rule. */
  readonly extraSegmentsVendor: number;
  readonly extraSegmentsCarrier: number;
  readonly extraCostVendor: number;
  readonly extraCostCarrier: number;
  readonly totalVendor: number;
  readonly totalCarrier: number;
  /** Every (contact, SMS) pair over one segment by either rule. */
  readonly extraCases: readonly ExtraSegmentCase[];
}

/** Money to 4 decimal places, computed on integers so 0.1 + 0.2 stays 0.3. */
const money = (units: number): number => Math.round(units) / 10_000;
const toUnits = (dollars: number): number => Math.round(dollars * 10_000);

/** The estimate for uploading `contacts` to a campaign. */
export function estimateCost(
  campaign: PricedCampaign,
  contacts: readonly { readonly contact: Contact; readonly line?: number }[],
  options: CostOptions = {},
): CostEstimate {
  const extraCases: ExtraSegmentCase[] = [];
  const sms: SmsCostLine[] = campaign.smsContent.map((s) => {
    let withV = 0;
    let withC = 0;
    let extraV = 0;
    let extraC = 0;
    let maxV = 0;
    let maxC = 0;
    for (const { contact, line } of contacts) {
      const seg = countSegments(injectFields(s.content, contact, options));
      maxV = Math.max(maxV, seg.vendorSegments);
      maxC = Math.max(maxC, seg.carrierSegments);
      const ev = Math.max(0, seg.vendorSegments - 1);
      const ec = Math.max(0, seg.carrierSegments - 1);
      extraV += ev;
      extraC += ec;
      if (ev > 0) withV++;
      if (ec > 0) withC++;
      if (ev > 0 || ec > 0) {
        extraCases.push({
          contactId: contact.contactId,
          mobile: contact.mobile,
          ...(line !== undefined ? { line } : {}),
          sms: s.name,
          vendorSegments: seg.vendorSegments,
          carrierSegments: seg.carrierSegments,
          encoding: seg.encoding,
        });
      }
    }
    return {
      name: s.name,
      asWritten: countSegments(s.content),
      contactsWithExtraVendor: withV,
      contactsWithExtraCarrier: withC,
      extraSegmentsVendor: extraV,
      extraSegmentsCarrier: extraC,
      maxVendorSegments: maxV,
      maxCarrierSegments: maxC,
    };
  });
  const extraSegmentsVendor = sms.reduce((n, s) => n + s.extraSegmentsVendor, 0);
  const extraSegmentsCarrier = sms.reduce((n, s) => n + s.extraSegmentsCarrier, 0);
  const contactUnits = contacts.length * toUnits(campaign.costPerContact);
  const extraV = extraSegmentsVendor * toUnits(campaign.costPerExtraSms);
  const extraC = extraSegmentsCarrier * toUnits(campaign.costPerExtraSms);
  return {
    contacts: contacts.length,
    costPerContact: campaign.costPerContact,
    costPerExtraSms: campaign.costPerExtraSms,
    contactCost: money(contactUnits),
    sms,
    extraSegmentsVendor,
    extraSegmentsCarrier,
    extraCostVendor: money(extraV),
    extraCostCarrier: money(extraC),
    totalVendor: money(contactUnits + extraV),
    totalCarrier: money(contactUnits + extraC),
    extraCases,
  };
}
