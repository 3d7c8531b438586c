import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, page } from '../api.ts';
import { dec, type PageDecl } from './types.ts';
import { Field, Pager, Raw, Show, Time, useLoad } from '../ui.tsx';

/** The four channels the users endpoint knows (Bot Open API ids). */
const USER_CHANNELS: Record<string, string> = { '1010': 'Web chat', '1014': 'WhatsApp', '1016': 'Telegram', '1017': 'Facebook' };
const CHANNEL_NAMES: Record<string, string> = { ...USER_CHANNELS, '1011': 'Workflow', '1012': 'Google Business Messages', '1013': 'General', '1015': 'RCS Business Messages', '1018': 'SMS', '1019': 'Hangouts Chat', '1020': 'Google', '1021': 'Instagram' };

type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

export function NetcoreUsers() {
  const [channel, setChannel] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const state = useLoad(() => page<Row>('/netcore/users', { channelId: channel || undefined, limit: 50, cursor }), [channel, cursor]);
  return (
    <section aria-labelledby="nc-users">
      <h1 id="nc-users">Netcore users</h1>
      <Field id="nc-channel" label="Channel">
        <select
          id="nc-channel"
          value={channel}
          onChange={(e) => {
            setChannel((e.target as HTMLSelectElement).value);
            setCursors([null]);
          }}
        >
          <option value="">All four user channels</option>
          {Object.entries(USER_CHANNELS).map(([id, name]) => (
            <option key={id} value={id}>
              {name} ({id})
            </option>
          ))}
        </select>
      </Field>
      <Show state={state}>
        {(p) => (
          <>
            <table class="list">
              <caption class="visually-hidden">Users by last activity</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Last active</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((u) => (
                  <tr key={`${s(u.botUserId)}-${s(u.channel ?? u.channelId)}`}>
                    <td>
                      <a href={`#/netcore/users/${encodeURIComponent(s(u.botUserId))}`}>{s(u.userName) || s(u.botUserId)}</a>
                    </td>
                    <td>{CHANNEL_NAMES[s(u.channelId ?? u.channel)] ?? s(u.channelName ?? u.channel ?? u.channelId)}</td>
                    <td>
                      <Time iso={s(u.lastInteractedAt)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {p.items.length === 0 && <p>No users stored yet.</p>}
            <Pager cursor={p.nextCursor} atFirst={cursors.length === 1} onFirst={() => setCursors([null])} onNext={(c) => setCursors([...cursors, c])} />
          </>
        )}
      </Show>
    </section>
  );
}

export function NetcoreUser({ id }: { id: string }) {
  const user = useLoad(() => api<Row>(`/netcore/users/${encodeURIComponent(id)}`), [id]);
  const [channel, setChannel] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const transcripts = useLoad(() => page<Row>(`/netcore/users/${encodeURIComponent(id)}/transcripts`, { channelId: channel || undefined, limit: 100, cursor }), [id, channel, cursor]);
  return (
    <section aria-labelledby="nc-user">
      <p>
        <a href="#/netcore">← Netcore users</a>
      </p>
      <h1 id="nc-user">User {id}</h1>
      <Show state={user}>{(u) => <Raw label="The user as stored" value={u} />}</Show>
      <h2>Transcript</h2>
      <Field id="nc-tchannel" label="Channel">
        <select
          id="nc-tchannel"
          value={channel}
          onChange={(e) => {
            setChannel((e.target as HTMLSelectElement).value);
            setCursors([null]);
          }}
        >
          <option value="">Every channel</option>
          {Object.entries(CHANNEL_NAMES).map(([cid, name]) => (
            <option key={cid} value={cid}>
              {name} ({cid})
            </option>
          ))}
        </select>
      </Field>
      <Show state={transcripts}>
        {(p) => (
          <>
            <ol class="messages">
              {p.items.map((m, i) => (
                <TranscriptItem key={s(m.key ?? m.sk ?? i)} item={m} />
              ))}
            </ol>
            {p.items.length === 0 && <p>No messages stored for this user.</p>}
            <Pager cursor={p.nextCursor} atFirst={cursors.length === 1} onFirst={() => setCursors([null])} onNext={(c) => setCursors([...cursors, c])} />
          </>
        )}
      </Show>
    </section>
  );
}

/** A link only to http(s): a `javascript:` or `data:` URL from a vendor is shown as text. */
function SafeLink({ href, children }: { href: unknown; children?: ComponentChildren }) {
  const url = s(href);
  if (!/^https?:\/\//i.test(url)) return <span>{children ?? url}</span>;
  return (
    <a href={url} rel="noopener noreferrer nofollow" target="_blank">
      {children ?? url}
    </a>
  );
}

const obj = (v: unknown): Row => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function Buttons({ list }: { list: unknown[] }) {
  if (list.length === 0) return null;
  return (
    <ul class="chips" aria-label="Buttons">
      {list.map((b, i) => (
        <li key={i}>{typeof b === 'string' ? b : s(obj(b).title ?? obj(b).text ?? obj(b).payload)}</li>
      ))}
    </ul>
  );
}

function HeaderBodyFooter({ p }: { p: Row }) {
  const h = obj(p.header);
  return (
    <>
      {(h.text || h.url) && <p class="muted">{s(h.text)} {h.url ? <SafeLink href={h.url} /> : null}</p>}
      {p.body ? <p class="content">{s(p.body)}</p> : null}
      {p.footer ? <p class="muted">{s(p.footer)}</p> : null}
    </>
  );
}

/** One message drawn by its shape; a shape the hub could not read is shown raw, as text. */
function Shape({ type, message }: { type: string; message: Row }) {
  const p = message[type];
  const o = obj(p);
  switch (type) {
    case 'text':
      return (
        <>
          <p class="content">{s(o.message)}</p>
          <Buttons list={arr(o.buttons)} />
        </>
      );
    case 'attachment':
      return <p>Attachment ({s(o.contentType) || 'file'}): <SafeLink href={o.contentUrl} /></p>;
    case 'audio':
    case 'video':
    case 'image':
    case 'pdf':
    case 'doc':
    case 'xls':
    case 'ppt':
      return <p>{type}: <SafeLink href={o.url} /></p>;
    case 'card':
      return (
        <>
          <p><strong>{s(o.title)}</strong> {s(o.subtitle)}</p>
          {o.image_url ? <p>Image: <SafeLink href={obj(o.image_url).url} /></p> : null}
          <Buttons list={arr(o.buttons)} />
        </>
      );
    case 'location':
      return <p>Location: {s(o.label)} {s(o.address)} ({s(o.latitude)}, {s(o.longitude)})</p>;
    case 'contact':
      return <p>Contact card: {s(o.firstName)} {s(o.lastName)}</p>;
    case 'carousel':
      return (
        <ol class="cards" aria-label="Carousel">
          {arr(p).map((c, i) => (
            <li key={i}>
              <strong>{s(obj(c).title)}</strong> {s(obj(c).subtitle)}
              <Buttons list={arr(obj(c).buttons)} />
            </li>
          ))}
        </ol>
      );
    case 'list':
    case 'dynamicList': {
      const actions = obj(o.actions);
      return (
        <>
          <HeaderBodyFooter p={o} />
          {arr(actions.sections).map((sec, i) => (
            <div key={i}>
              <p><strong>{s(obj(sec).title)}</strong></p>
              <ul>{arr(obj(sec).row).map((r, j) => <li key={j}>{s(obj(r).title)} {s(obj(r).description ?? obj(r)[' description'])}</li>)}</ul>
            </div>
          ))}
          {actions.button_text ? <p class="muted">Button: {s(actions.button_text)}</p> : null}
        </>
      );
    }
    case 'reply':
    case 'dynamicReply':
      return (
        <>
          <HeaderBodyFooter p={o} />
          <Buttons list={arr(obj(o.action ?? o.actions).buttons)} />
        </>
      );
    case 'order':
      return (
        <>
          <p>Order {s(o.text)}</p>
          <ul>{arr(o.items).map((it, i) => <li key={i}>{s(obj(it).quantity)} × {s(obj(it).title)} {s(obj(it).price)} {s(obj(it).currency)}</li>)}</ul>
        </>
      );
    case 'template':
      return (
        <>
          <p class="muted">Template {s(o.name)}</p>
          <HeaderBodyFooter p={o} />
          <Buttons list={arr(o.buttons)} />
        </>
      );
    case 'productSingle':
      return (
        <>
          <HeaderBodyFooter p={o} />
          <p>Product: {s(obj(o.action).title)} {s(obj(o.action).price)}</p>
        </>
      );
    case 'productMulti':
      return (
        <>
          <HeaderBodyFooter p={o} />
          {arr(obj(o.action).sections).map((sec, i) => (
            <div key={i}>
              <p><strong>{s(obj(sec).title)}</strong></p>
              <ul>{arr(obj(sec).items).map((it, j) => <li key={j}>{s(obj(it).title)} {s(obj(it).price)}</li>)}</ul>
            </div>
          ))}
        </>
      );
    case 'form':
      return <p>Form {s(o.name ?? o.title)}</p>;
    case 'formResponse':
      return (
        <>
          <p>Form answers</p>
          <Raw label="Form answers" value={o.answerMapping} />
        </>
      );
    default:
      return <Raw label="Message as sent" value={message} />;
  }
}

function TranscriptItem({ item }: { item: Row }) {
  const message = obj(item.message);
  const type = s(item.type ?? message.type);
  const known = item.shape !== 'unknown';
  return (
    <li class={`message ${s(message.from) === 'bot' ? 'customer-service' : 'customer'}`} data-shape={known ? type : 'unknown'}>
      <header>
        <strong>{s(item.from ?? message.from) || 'unknown sender'}</strong> · {CHANNEL_NAMES[s(item.channelId)] ?? s(item.channelId)} · <Time iso={s(item.createdAt ?? message.createdAt)} /> <span class="badge">{known ? type : `unknown shape${type ? `: ${type}` : ''}`}</span>
      </header>
      {known ? <Shape type={type} message={message} /> : <Raw label="Message as Netcore sent it" value={item.message ?? item} />}
    </li>
  );
}

/** The Netcore pages. */
export const netcorePages: readonly PageDecl[] = [
  { pattern: /^\/netcore$/, title: 'Netcore users', nav: 'Netcore', href: '#/netcore', render: () => <NetcoreUsers /> },
  { pattern: /^\/netcore\/users\/([^/]+)$/, title: 'Netcore user', render: ([id]) => <NetcoreUser id={dec(id)} /> },
];
