import { describe, expect, it } from 'vitest';
import { estimateCost, injectFields, placeholders } from '#rungopher/domain/cost.ts';
import type { Contact } from '#rungopher/domain/campaign.ts';

const contact = (id: string, firstName: string, extra: Partial<Contact> = {}): { contact: Contact; line: number } => ({
  contact: { contactId: id, firstName, lastName: 'L', mobile: `+6146840300${id}`, ...extra },
  line: Number(id) + 1,
});

describe('injectFields', () => {
  it('replaces known placeholders in any bracket style and leaves template text like <Sue> alone', () => {
    const c = contact('1', 'Mark').contact;
    expect(injectFields("Hi {firstName} {{lastName}} [custom1] <FIRSTNAME>, it's <Sue>", c)).toBe("Hi Mark L  Mark, it's <Sue>");
    expect(placeholders('Hi {firstName} <Sue> [weblink]')).toEqual(['firstName', 'weblink']);
  });
  it('counts a weblink as its shortened length', () => {
    const c = contact('1', 'Mark', { weblink: 'https://example.com/' + 'x'.repeat(200) }).contact;
    expect(injectFields('{weblink}', c, { shortLinkLength: 22 })).toHaveLength(22);
  });
});

describe('estimateCost', () => {
  const base = 'x'.repeat(150) + ' {firstName}'; // 151 + name
  const campaign = { costPerContact: 0.34, costPerExtraSms: 0.04, smsContent: [{ name: 'smsHello', content: base }, { name: 'smsShort', content: 'Thanks {firstName}' }] };

  it('charges contacts x costPerContact plus extra segments x costPerExtraSms, and names who causes them', () => {
    const contacts = [contact('1', 'Al'), contact('2', 'Bartholomew'), contact('3', 'Zoë😀')];
    const e = estimateCost(campaign, contacts);
    // Al: 153 chars -> 1; Bartholomew: 162 -> 2 (1 extra); Zoë😀: 155 chars vendor 1, carrier UCS-2 3.
    expect(e.contactCost).toBe(1.02);
    expect(e.extraSegmentsVendor).toBe(1);
    expect(e.extraCostVendor).toBe(0.04);
    expect(e.totalVendor).toBe(1.06);
    expect(e.extraSegmentsCarrier).toBe(1 + 2);
    expect(e.totalCarrier).toBe(1.14);
    expect(e.extraCases.map((c) => [c.contactId, c.sms, c.vendorSegments, c.carrierSegments, c.line])).toEqual([
      ['2', 'smsHello', 2, 2, 3],
      ['3', 'smsHello', 1, 3, 4],
    ]);
    expect(e.sms[0]).toMatchObject({ name: 'smsHello', contactsWithExtraVendor: 1, contactsWithExtraCarrier: 2, maxCarrierSegments: 3 });
    expect(e.sms[1]).toMatchObject({ extraSegmentsVendor: 0, extraSegmentsCarrier: 0 });
  });

  it('adds money without floating-point drift', () => {
    const e = estimateCost({ costPerContact: 0.1, costPerExtraSms: 0.2, smsContent: [] }, [contact('1', 'a'), contact('2', 'b'), contact('3', 'c')]);
    expect(e.totalVendor).toBe(0.3);
  });
});
