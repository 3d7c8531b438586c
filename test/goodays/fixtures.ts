/** Goodays event bodies shaped like the Converse document's samples, for tests. */

export interface FixtureMessage {
  id: string;
  at: string;
  content: string;
  from: 'customer' | 'agent';
}

export interface FixtureOptions {
  responseId?: string;
  source?: string;
  state?: string;
  /** Offered actions; URLs point at `actionHost`. */
  actions?: readonly string[];
  actionHost?: string;
  /** Customer's verbatim id. */
  verbatimId?: string;
  createdAt?: string;
  updatedAt?: string;
  reply?: FixtureMessage | null;
  attached?: readonly FixtureMessage[];
  /** The new private message of a `message` event. */
  message?: FixtureMessage;
  delegated?: boolean;
  extra?: Record<string, unknown>;
}

const CUSTOMER = { email: 'chester.copperpot@example.com', first_name: 'Chester', last_name: 'COPPERPOT' };
const AGENT = { email: 'jennifer.parker@cs.example.com', first_name: 'Jennifer', last_name: 'Parker' };

function msg(m: FixtureMessage, type = 'Message') {
  return { id: m.id, created_date: m.at, type, content: m.content, attachment: null, sender: m.from === 'customer' ? CUSTOMER : AGENT };
}

/** The event object. */
export function goodaysEvent(eventType: string, o: FixtureOptions = {}): Record<string, unknown> {
  const id = o.responseId ?? 'vdOpL1NJ74l';
  const host = o.actionHost ?? 'https://api.goodays.co';
  const created = o.createdAt ?? '2020-02-05T10:20:39.810686+01:00';
  const event: Record<string, unknown> = {
    event_type: eventType,
    response: {
      id,
      token: '1234abcd1234abcd1234abcd1234abcd',
      created_date: created,
      updated_date: o.updatedAt ?? created,
      source: o.source ?? 'email',
      survey: { id: '12AB34', slug: 'survey1', label: 'survey 1', enabled: true, detail_url: 'https://api.goodays.co/v2/surveys/12AB34' },
      answers: [{ id: '12AB34', value: 5, question: { id: '12AB34', title: '**Recommanderiez-vous** ce magasin ?', type: 'nps', enabled: true } }],
      message: msg({ id: o.verbatimId ?? 'mxo1B0eGdj', at: created, content: 'The seller needs to respond in a timely manner.', from: 'customer' }, 'Problem'),
      reply: o.reply ? msg(o.reply, 'text') : null,
      user: { ...CUSTOMER, opt_in: { newsletter: false, email: false, sms: false } },
      context: { email: CUSTOMER.email, extra: { transaction_date: '2020-01-28' }, cz_tag: 'survey1', crm_id: '', last_name: 'COPPERPOT', first_name: 'Chester' },
      place: { id: '12AB34', partner_id: '1234', name: 'place name', enabled: true, detail_url: 'https://api.goodays.co/v2/places/12AB34' },
      delegated_to: o.delegated ? { id: 'ap4M7B1w82', partner_id: 'CustomerService', name: 'Customer Service', enabled: true, detail_url: 'https://api.goodays.cov2/places/ap4M7B1w82' } : null,
      attached_messages: (o.attached ?? []).map((m) => msg(m)),
      state: o.state ?? 'open',
      thread: 'z4RjEyMP4r',
      actions: Object.fromEntries((o.actions ?? ['reply', 'spam', 'close', 'call']).map((a) => [a, `${host}/api/v2/responses/${id}/${a}`])),
      alert_triggered: false,
      ...o.extra,
    },
  };
  if (o.message) event.message = msg(o.message);
  return event;
}

/** The event as Goodays would send it: pretty-printed JSON text. */
export function goodaysBody(eventType: string, o: FixtureOptions = {}): string {
  return JSON.stringify(goodaysEvent(eventType, o), null, 2);
}

/** A realistic conversation: response, delegation, reply, two customer messages with answers. */
export function conversation(responseId = 'vdOpL1NJ74l'): string[] {
  const reply: FixtureMessage = { id: '54EjZ70lxy', at: '2020-02-05T12:20:39.810686+01:00', content: 'Dear Customer, thank you.', from: 'agent' };
  const m1: FixtureMessage = { id: 'vdJmjjLk8D', at: '2020-02-06T09:20:39.810686+01:00', content: 'How long does the promotion last?', from: 'customer' };
  const a1: FixtureMessage = { id: 'LdLD59eedj', at: '2020-02-06T13:33:39.810686+01:00', content: 'Until 19/03/2020.', from: 'agent' };
  const m2: FixtureMessage = { id: 'exqmBvGmxY', at: '2020-02-10T16:20:39.810686+01:00', content: 'Thank you! See you soon 😊', from: 'customer' };
  return [
    goodaysBody('response', { responseId }),
    goodaysBody('delegated', { responseId, delegated: true, updatedAt: '2020-02-05T11:00:00.000001+01:00', actions: ['reply', 'spam', 'close'] }),
    goodaysBody('message', { responseId, reply, state: 'closed', actions: ['message'], attached: [m1, reply], message: m1 }),
    goodaysBody('message', { responseId, reply, state: 'closed', actions: ['message'], attached: [m2, a1, m1, reply], message: m2 }),
  ];
}
