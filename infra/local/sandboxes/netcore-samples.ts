/**
 * Sample Netcore transcript items, one per message type the document lists, shaped as the document's
 * response sample shows them. The sandbox serves them and the tests check that each round-trips.
 */

/** Payload of each message type, under the key named by the type. */
export const SAMPLE_PAYLOADS: Record<string, unknown> = {
  text: { message: 'Hello, I need help with my order', buttons: ['Track order', 'Talk to agent'], isRating: false },
  attachment: { contentType: 'application/zip', contentUrl: 'https://cdn.example.com/files/logs.zip' },
  card: { title: 'Summer sale', type: 'image', subtitle: 'Up to 50% off', image_url: { url: 'https://cdn.example.com/sale.png' }, buttons: ['Shop now'] },
  audio: { url: 'https://cdn.example.com/voice-note.ogg' },
  video: { url: 'https://cdn.example.com/unboxing.mp4' },
  image: { url: 'https://cdn.example.com/receipt.jpg' },
  pdf: { url: 'https://cdn.example.com/invoice.pdf' },
  location: { longitude: '72.8777', latitude: '19.0760', label: 'Office', address: 'Mumbai, Maharashtra' },
  doc: { url: 'https://cdn.example.com/terms.docx' },
  xls: { url: 'https://cdn.example.com/price-list.xlsx' },
  ppt: { url: 'https://cdn.example.com/catalogue.pptx' },
  contact: { phoneNumber: '+919876543210', firstName: 'Asha', lastName: 'Rao', vcard: 'BEGIN:VCARD\nFN:Asha Rao\nEND:VCARD' },
  form: {
    botId: 'bot-1',
    name: 'lead-form',
    isArchived: false,
    title: 'Tell us about you',
    description: 'Two questions',
    formElements: [
      { type: 'textInput', label: 'Email', required: true, inputMapping: 'email', answerMapping: null, textInput: { validation: 'email', placeholder: 'you@example.com' } },
      { type: 'dropdown', label: 'City', required: false, inputMapping: 'city', answerMapping: null, dropdown: { items: ['Mumbai', 'Pune'] } },
      { type: 'radioButtons', label: 'Contact by', required: false, inputMapping: 'via', answerMapping: null, radioButtons: { items: ['Call', 'SMS'] } },
      { type: 'checkBox', label: 'Interests', required: false, inputMapping: 'tags', answerMapping: null, checkBox: { items: ['Offers', 'News'] } },
    ],
    createdBy: 'admin@example.com',
  },
  carousel: [
    { title: 'Shoe A', subtitle: 'Rs 1999', image_url: 'https://cdn.example.com/a.png', buttons: ['Buy'] },
    { title: 'Shoe B', subtitle: 'Rs 2499', image_url: 'https://cdn.example.com/b.png', buttons: ['Buy'] },
  ],
  list: {
    header: { type: 'text', text: 'Choose a plan' },
    body: 'Plans available today',
    footer: 'Prices include tax',
    actions: { button_text: 'Plans', sections: [{ title: 'Monthly', row: [{ title: 'Basic', ' description': 'Rs 99' }] }] },
  },
  reply: {
    header: { type: 'image', text: 'Confirm', url: 'https://cdn.example.com/confirm.png' },
    body: 'Confirm your booking?',
    footer: 'Reply within 24h',
    action: { buttons: [{ type: 'reply', title: 'Yes', id: 'yes' }, { type: 'reply', title: 'No', id: 'no' }] },
  },
  order: {
    catalogId: 'cat-1',
    text: 'My order',
    items: [{ retailerId: 'sku-1', quantity: '2', price: '499', currency: 'INR', title: 'T-shirt', subTitle: 'Blue, M', image: 'https://cdn.example.com/t.png' }],
  },
  formResponse: { formTranscriptId: 'ft-1', answerMapping: { email: 'asha@example.com', city: 'Pune' } },
  template: {
    name: 'order_update',
    header: { type: 'TEXT', url: '', text: 'Order shipped', fileName: '', caption: '' },
    body: 'Your order 123 has shipped',
    footer: 'Thank you',
    buttons: [{ type: 'QUICK_REPLY', text: 'Track', phoneNumber: '', url: '', payload: 'track-123' }],
    campaignId: 'cmp-9',
  },
  productSingle: {
    isDynamicProduct: false,
    body: 'Bestseller',
    footer: 'Limited stock',
    action: { catalogId: 'cat-1', retailerId: 'sku-7', title: 'Kettle', subTitle: '1.5 L', image: 'https://cdn.example.com/k.png', price: '1299' },
  },
  productMulti: {
    isDynamicProduct: true,
    header: { type: 'text', text: 'Kitchen' },
    body: 'Picked for you',
    footer: 'Free delivery',
    action: {
      catalogId: 'cat-1',
      sections: [{ title: 'Appliances', items: [{ retailerId: 'sku-7', title: 'Kettle', subTitle: '1.5 L', image: 'https://cdn.example.com/k.png', price: '1299' }] }],
    },
  },
  dynamicList: {
    header: { type: 'text', text: 'Your addresses' },
    body: 'Deliver to',
    footer: 'Or add one',
    actions: { button_text: 'Addresses', sections: [{ title: 'Saved', row: [{ title: 'Home', description: 'Pune 411001' }] }] },
  },
  dynamicReply: {
    header: { type: 'text', text: 'Slots', url: '' },
    body: 'Pick a slot',
    footer: 'Times in IST',
    actions: { buttons: [{ type: 'reply', title: '10:00' }, { type: 'reply', title: '14:00' }] },
  },
};

/** A type the document does not list; the hub must keep it anyway. */
export const UNKNOWN_SAMPLE_TYPE = 'sticker';

/** One transcript item of `type` (known or not) at `createdAt`. */
export function sampleMessage(type: string, createdAt: string, from: 'User' | 'Bot' = 'User', salt = ''): Record<string, unknown> {
  const payload = SAMPLE_PAYLOADS[type] ?? { url: 'https://cdn.example.com/sticker.webp', pack: 'hello' };
  const withSalt = salt && type === 'text' ? { ...(payload as object), message: `${(payload as { message: string }).message} ${salt}` } : payload;
  return { from, type, [type]: withSalt, createdAt, updatedAt: createdAt, isPreviewUser: false };
}
