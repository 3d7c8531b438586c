import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * Transcript messages of the Netcore Bot Open API. Every item has `type` and, under the key named
 * by `type`, that shape's payload. Each shape below follows the document field by field; fields are
 * nullish because the document marks none required, and objects are loose so that fields the
 * document does not list survive. The raw item is always kept beside the parse: an item whose type
 * is unknown, or whose payload does not match, is kept as `unknown`, never dropped.
 */

const str = z.string().nullish();
const bool = z.boolean().nullish();
const urlOnly = z.looseObject({ url: str });
const strings = z.array(z.string()).nullish();

/** Fields every transcript item has, whatever its type. */
const base = {
  from: str,
  createdAt: str,
  updatedAt: str,
  isPreviewUser: bool,
};

const shape = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.looseObject({ ...base, type: z.literal(type), [type]: payload } as { type: z.ZodLiteral<T> } & typeof base & Record<T, P>);

const Header = z.looseObject({ type: str, text: str, url: str });
const ListSections = z.array(
  z.looseObject({
    title: str,
    row: z.array(z.looseObject({ title: str, description: str, ' description': str })).nullish(),
  }),
);

export const TextPayload = z.looseObject({ message: str, buttons: strings, isRating: bool });
export const AttachmentPayload = z.looseObject({ contentType: str, contentUrl: str });
export const CardPayload = z.looseObject({ title: str, type: str, subtitle: str, image_url: urlOnly.nullish(), buttons: strings });
export const LocationPayload = z.looseObject({ longitude: str, latitude: str, label: str, address: str });
export const ContactPayload = z.looseObject({ phoneNumber: str, firstName: str, lastName: str, vcard: str });
const ItemsChoice = z.looseObject({ items: strings }).nullish();
export const FormPayload = z.looseObject({
  botId: str,
  name: str,
  isArchived: bool,
  title: str,
  description: str,
  formElements: z
    .array(
      z.looseObject({
        type: str,
        label: str,
        required: bool,
        inputMapping: str,
        answerMapping: z.unknown(),
        textInput: z.looseObject({ validation: str, placeholder: str }).nullish(),
        dropdown: ItemsChoice,
        radioButtons: ItemsChoice,
        checkBox: ItemsChoice,
      }),
    )
    .nullish(),
  createdBy: str,
});
export const CarouselPayload = z.array(z.looseObject({ title: str, subtitle: str, image_url: str, buttons: strings }));
/** The document spells the row description of `list` as `" description"` (leading space); both are accepted. */
export const ListPayload = z.looseObject({
  header: Header.nullish(),
  body: str,
  footer: str,
  actions: z.looseObject({ button_text: str, sections: ListSections.nullish() }).nullish(),
});
export const ReplyPayload = z.looseObject({
  header: Header.nullish(),
  body: str,
  footer: str,
  action: z.looseObject({ buttons: z.array(z.looseObject({ type: str, title: str, id: str })).nullish() }).nullish(),
});
export const OrderPayload = z.looseObject({
  catalogId: str,
  text: str,
  items: z
    .array(z.looseObject({ retailerId: str, quantity: str, price: str, currency: str, title: str, subTitle: str, image: str }))
    .nullish(),
});
export const FormResponsePayload = z.looseObject({ formTranscriptId: str, answerMapping: z.unknown() });
export const TemplatePayload = z.looseObject({
  name: str,
  header: z.looseObject({ type: str, url: str, text: str, fileName: str, caption: str }).nullish(),
  body: str,
  footer: str,
  buttons: z.array(z.looseObject({ type: str, text: str, phoneNumber: str, url: str, payload: str })).nullish(),
  campaignId: str,
});
const Product = { retailerId: str, title: str, subTitle: str, image: str, price: str };
export const ProductSinglePayload = z.looseObject({
  isDynamicProduct: bool,
  body: str,
  footer: str,
  action: z.looseObject({ catalogId: str, ...Product }).nullish(),
});
export const ProductMultiPayload = z.looseObject({
  isDynamicProduct: bool,
  header: Header.nullish(),
  body: str,
  footer: str,
  action: z
    .looseObject({
      catalogId: str,
      sections: z.array(z.looseObject({ title: str, items: z.array(z.looseObject(Product)).nullish() })).nullish(),
    })
    .nullish(),
});
export const DynamicListPayload = ListPayload;
export const DynamicReplyPayload = z.looseObject({
  header: Header.nullish(),
  body: str,
  footer: str,
  actions: z.looseObject({ buttons: z.array(z.looseObject({ type: str, title: str })).nullish() }).nullish(),
});

/** One schema per message type the document lists. */
export const TranscriptMessage = z.discriminatedUnion('type', [
  shape('text', TextPayload),
  shape('attachment', AttachmentPayload),
  shape('card', CardPayload),
  shape('audio', urlOnly),
  shape('video', urlOnly),
  shape('image', urlOnly),
  shape('pdf', urlOnly),
  shape('location', LocationPayload),
  shape('doc', urlOnly),
  shape('xls', urlOnly),
  shape('ppt', urlOnly),
  shape('contact', ContactPayload),
  shape('form', FormPayload),
  shape('carousel', CarouselPayload),
  shape('list', ListPayload),
  shape('reply', ReplyPayload),
  shape('order', OrderPayload),
  shape('formResponse', FormResponsePayload),
  shape('template', TemplatePayload),
  shape('productSingle', ProductSinglePayload),
  shape('productMulti', ProductMultiPayload),
  shape('dynamicList', DynamicListPayload),
  shape('dynamicReply', DynamicReplyPayload),
]);
export type TranscriptMessage = z.infer<typeof TranscriptMessage>;
export type MessageType = TranscriptMessage['type'];

/** Every message type the document lists, in its order. */
export const MESSAGE_TYPES = [
  'text', 'attachment', 'card', 'audio', 'video', 'image', 'pdf', 'location', 'doc', 'xls', 'ppt', 'contact',
  'form', 'carousel', 'list', 'reply', 'order', 'formResponse', 'template', 'productSingle', 'productMulti',
  'dynamicList', 'dynamicReply',
] as const satisfies readonly MessageType[];

/** A transcript item as the hub keeps it: the typed parse when the shape is known, and always the raw item. */
export type TranscriptEntry =
  | { readonly shape: 'known'; readonly type: MessageType; readonly message: TranscriptMessage; readonly raw: unknown }
  | { readonly shape: 'unknown'; readonly type: string | undefined; readonly issues: readonly string[]; readonly raw: unknown };

const TypeOnly = z.looseObject({ type: z.string() });

/** Parses one transcript item without ever failing: an unknown or malformed item comes back as `unknown`. */
export function parseTranscriptItem(raw: unknown): TranscriptEntry {
  const parsed = TranscriptMessage.safeParse(raw);
  if (parsed.success) return { shape: 'known', type: parsed.data.type, message: parsed.data, raw };
  const typed = TypeOnly.safeParse(raw);
  return {
    shape: 'unknown',
    type: typed.success ? typed.data.type : undefined,
    issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`),
    raw,
  };
}

/** `createdAt` of a raw item as ISO-8601 UTC, or undefined when absent or not a date. */
export function itemCreatedAt(raw: unknown): string | undefined {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).createdAt : undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Fields that may change when the vendor re-serves the same message; they are left out of its key. */
const VOLATILE_FIELDS = new Set(['updatedAt', 'isPreviewUser']);
/** Id fields the document does not show but that a server may add; when present they are the key. */
const ID_FIELDS = ['_id', 'id', 'messageId', 'transcriptId'] as const;

/**
 * A stable key for a transcript item, so re-reading a window stores nothing twice. The document gives
 * messages no id: the key is the vendor's id when one is present, else a SHA-256 of the item's
 * canonical JSON (keys sorted) without the fields that change on re-reads (`updatedAt`,
 * `isPreviewUser`). The same item read twice, in any key order, gets the same key.
 */
export function messageKey(raw: unknown): string {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>;
    for (const f of ID_FIELDS) {
      const v = obj[f];
      if ((typeof v === 'string' && v !== '') || typeof v === 'number') return `id-${String(v)}`;
    }
    const stable = Object.fromEntries(Object.entries(obj).filter(([k]) => !VOLATILE_FIELDS.has(k)));
    return `h-${sha256(canonicalJson(stable)).slice(0, 32)}`;
  }
  return `h-${sha256(canonicalJson(raw)).slice(0, 32)}`;
}

/** JSON with object keys sorted at every depth, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
