/**
 * The sample results of `rungopher-results-api.txt`, verbatim: one per documented type, plus the two
 * polling samples.
 */
export const DOC_SAMPLES = [
  {
    campaignId: 15,
    campaignToken: '143-dfvsm-3r3ndkd',
    contactId: '1',
    id: 110,
    resultType: 'boolean',
    resultName: 'accepted',
    data: { answer: 'yes' },
    context: 'Yes, that would be great, thanks!',
    timestamp: '2017-11-14T10:56:14Z',
  },
  {
    campaignId: 15,
    campaignToken: '143-dfvsm-3r3ndkd',
    contactId: '1',
    id: 111,
    resultType: 'email',
    resultName: 'newEmail',
    data: { email: 'mark.hingston@rungopher.com' },
    context: 'Sure, please send to mark.hingston@rungopher.com thx!',
    timestamp: '2017-11-14T10:56:14Z',
  },
  {
    campaignId: 15,
    campaignToken: '143-dfvsm-3r3ndkd',
    contactId: '1',
    id: 112,
    resultType: 'phone',
    resultName: 'newNumber',
    data: { phone: '+61400222111' },
    context: "Actually I have a new number, it's 0400 222 111",
    timestamp: '2017-11-14T10:56:14Z',
  },
  {
    campaignId: 15,
    campaignToken: '143-dfvsm-3r3ndkd',
    contactId: '1',
    id: 113,
    resultType: 'address',
    resultName: 'newAddress',
    data: { city: 'sydney', state: 'NSW', postcode: '2000', streetAddress: '5/400 george street' },
    context: "Ahhh, no it's 5/400 george street, sydney, nsw 2000",
    timestamp: '2017-11-14T10:56:14Z',
  },
  {
    campaignId: 15,
    campaignToken: '143-dfvsm-3r3ndkd',
    contactId: '1',
    id: 114,
    resultType: 'linkClicked',
    resultName: 'linkClicked',
    data: { link: 'https://www.mycompany.com/myevent', count: '1' },
    timestamp: '2017-11-14T13:20:13Z',
  },
  {
    campaignId: 16,
    campaignToken: 'cd0c673d-a2ec-48df-b514-3a26e0f65254',
    contactId: '1',
    id: 115,
    resultType: 'sms',
    resultName: 'allSms',
    data: { kind: 'inbound_sms', campaignName: 'My Event RSVPs', content: 'Great' },
    timestamp: '2017-11-14T10:56:14Z',
  },
  {
    id: 1,
    campaignId: 15,
    campaignToken: 'token-1',
    contactId: 'contact-40',
    resultType: 'sms',
    resultName: 'allSms',
    data: { content: 'Hi, just wanted to let you know about our big sale coming up!', campaignName: 'My Campaign', kind: 'outbound_sms' },
    timestamp: '2017-10-25T21:15:00Z',
  },
  {
    id: 2,
    campaignId: 15,
    campaignToken: 'token-1',
    contactId: 'contact-40',
    resultType: 'sms',
    resultName: 'allSms',
    data: { content: "Thanks! I'll go check it out", campaignName: 'My Campaign', kind: 'inbound_sms' },
    timestamp: '2017-10-25T23:15:00Z',
  },
] as const;

export type SampleResult = Record<string, unknown> & { id: number | string; campaignId: number | string; contactId: string };

/** A result of a given shape with overrides, for property tests and edge cases. */
export function makeResult(overrides: Partial<SampleResult> & Record<string, unknown>): SampleResult {
  return { ...DOC_SAMPLES[0], ...overrides } as SampleResult;
}
