import { useState } from 'preact/hooks';
import { api, page } from '../api.ts';
import { dec, type PageDecl } from './types.ts';
import { ErrorBox, Field, Pager, Raw, Show, Time, useLoad } from '../ui.tsx';

type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
const itemsOf = (body: unknown): Row[] => (Array.isArray(body) ? (body as Row[]) : Array.isArray((body as Row | null)?.items) ? ((body as Row).items as Row[]) : []);

export function Campaigns() {
  const state = useLoad(() => api<unknown>('/rungopher/campaigns'), []);
  return (
    <section aria-labelledby="rg-campaigns">
      <h1 id="rg-campaigns">Rungopher campaigns</h1>
      <p class="muted">Read through the hub with its Rungopher key.</p>
      <Show state={state}>
        {(body) => {
          const items = itemsOf(body);
          return items.length === 0 ? (
            <p>No campaigns.</p>
          ) : (
            <table class="list">
              <caption class="visually-hidden">Campaigns</caption>
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={s(c.id ?? c.campaignId)}>
                    <td>
                      <a href={`#/rungopher/campaigns/${encodeURIComponent(s(c.id ?? c.campaignId))}`}>{s(c.id ?? c.campaignId)}</a>
                    </td>
                    <td>{s(c.name ?? c.title)}</td>
                    <td>{s(c.state ?? c.status)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Show>
      <ContactLookup />
      <UploadLookup />
    </section>
  );
}

export function Campaign({ id }: { id: string }) {
  const campaign = useLoad(() => api<Row>(`/rungopher/campaigns/${encodeURIComponent(id)}`), [id]);
  return (
    <section aria-labelledby="rg-campaign">
      <p>
        <a href="#/rungopher">← Campaigns</a>
      </p>
      <h1 id="rg-campaign">Campaign {id}</h1>
      <Show state={campaign}>{(c) => <Raw label="The campaign as Rungopher gives it" value={c} />}</Show>
      <Results campaignId={id} />
    </section>
  );
}

/** Stored results, oldest first, for one campaign (or all). */
export function Results({ campaignId }: { campaignId?: string }) {
  const [resultName, setResultName] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const state = useLoad(() => page<Row>('/rungopher/results', { campaignId, resultName: resultName || undefined, limit: 50, cursor }), [campaignId, resultName, cursor]);
  return (
    <section aria-labelledby="rg-results">
      <h2 id="rg-results">Results</h2>
      <Field id="rg-result-name" label="Result name">
        <select
          id="rg-result-name"
          value={resultName}
          onChange={(e) => {
            setResultName((e.target as HTMLSelectElement).value);
            setCursors([null]);
          }}
        >
          <option value="">Any</option>
          {['accepted', 'acceptedUpgrade', 'addressConfirmed', 'convertedToEmail', 'cancelled', 'optedOut', 'emailConfirmed', 'email', 'phone', 'address', 'linkClicked', 'sms', 'allSms'].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </Field>
      <Show state={state}>
        {(p) => (
          <>
            <table class="list">
              <caption class="visually-hidden">Results, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Campaign</th>
                  <th scope="col">Contact</th>
                  <th scope="col">Result</th>
                  <th scope="col">Data</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((r) => (
                  <tr key={s(r.id ?? r.resultId)}>
                    <td>
                      <Time iso={s(r.timestamp)} />
                    </td>
                    <td>{s(r.campaignId)}</td>
                    <td>
                      <a href={`#/rungopher/contacts/${encodeURIComponent(s(r.campaignId))}/${encodeURIComponent(s(r.contactId))}`}>{s(r.contactId)}</a>
                    </td>
                    <td>{s(r.resultName)}</td>
                    <td>
                      <code>{s(r.data)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {p.items.length === 0 && <p>No results stored.</p>}
            <Pager cursor={p.nextCursor} atFirst={cursors.length === 1} onFirst={() => setCursors([null])} onNext={(c) => setCursors([...cursors, c])} />
          </>
        )}
      </Show>
    </section>
  );
}

export function Contact({ campaignId, contactId }: { campaignId: string; contactId: string }) {
  const state = useLoad(() => api<Row>(`/rungopher/campaigns/${encodeURIComponent(campaignId)}/contacts/${encodeURIComponent(contactId)}`), [campaignId, contactId]);
  return (
    <section aria-labelledby="rg-contact">
      <p>
        <a href={`#/rungopher/campaigns/${encodeURIComponent(campaignId)}`}>← Campaign {campaignId}</a>
      </p>
      <h1 id="rg-contact">
        Contact {contactId} of campaign {campaignId}
      </h1>
      <Show state={state}>
        {(c) => (
          <>
            <dl class="facts">
              <dt>Opted out</dt>
              <dd>{s(c.optedOut) || 'no'}</dd>
              <dt>Cancelled</dt>
              <dd>{s(c.cancelled) || 'no'}</dd>
              <dt>Last result</dt>
              <dd>
                <Time iso={s(c.lastResultAt)} />
              </dd>
            </dl>
            <Raw label="The contact's view" value={c} />
          </>
        )}
      </Show>
    </section>
  );
}

function ContactLookup() {
  const [campaign, setCampaign] = useState('');
  const [contact, setContact] = useState('');
  return (
    <form
      class="card"
      aria-labelledby="rg-contact-find"
      onSubmit={(e) => {
        e.preventDefault();
        if (campaign && contact) location.hash = `#/rungopher/contacts/${encodeURIComponent(campaign)}/${encodeURIComponent(contact)}`;
      }}
    >
      <h2 id="rg-contact-find">A contact's view</h2>
      <Field id="rg-c-campaign" label="Campaign id">
        <input id="rg-c-campaign" required value={campaign} onInput={(e) => setCampaign((e.target as HTMLInputElement).value)} />
      </Field>
      <Field id="rg-c-contact" label="Contact id">
        <input id="rg-c-contact" required value={contact} onInput={(e) => setContact((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="submit">Show contact</button>
    </form>
  );
}

function UploadLookup() {
  const [job, setJob] = useState('');
  return (
    <form
      class="card"
      aria-labelledby="rg-upload-find"
      onSubmit={(e) => {
        e.preventDefault();
        if (job) location.hash = `#/rungopher/uploads/${encodeURIComponent(job)}`;
      }}
    >
      <h2 id="rg-upload-find">Contact upload job</h2>
      <Field id="rg-job" label="Job id">
        <input id="rg-job" required value={job} onInput={(e) => setJob((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="submit">Show job</button>
    </form>
  );
}

export function UploadJob({ id }: { id: string }) {
  const state = useLoad(() => api<Row>(`/rungopher/uploads/${encodeURIComponent(id)}`), [id]);
  const running = state.data && !['done', 'succeeded', 'failed', 'completed'].includes(s(state.data.state ?? state.data.status));
  return (
    <section aria-labelledby="rg-job-title">
      <p>
        <a href="#/rungopher">← Rungopher</a>
      </p>
      <h1 id="rg-job-title">Upload job {id}</h1>
      <button type="button" onClick={state.reload}>
        Refresh
      </button>
      {running && <p class="muted">The job is still running; refresh to see its progress.</p>}
      <Show state={state}>
        {(j) => (
          <>
            <dl class="facts">
              <dt>State</dt>
              <dd>{s(j.state ?? j.status)}</dd>
              <dt>Campaign</dt>
              <dd>{s(j.campaignId)}</dd>
            </dl>
            {Array.isArray(j.batches) && (
              <table class="list">
                <caption>Batches</caption>
                <thead>
                  <tr>
                    <th scope="col">Batch</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  {(j.batches as Row[]).map((b, i) => (
                    <tr key={i}>
                      <td>{s(b.index ?? i + 1)}</td>
                      <td>{s(b.state ?? b.outcome ?? b.status)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Raw label="The job as the hub keeps it" value={j} />
          </>
        )}
      </Show>
      <ErrorBox error={undefined} />
    </section>
  );
}

/** The Rungopher pages. */
export const rungopherPages: readonly PageDecl[] = [
  { pattern: /^\/rungopher$/, title: 'Rungopher', nav: 'Rungopher', href: '#/rungopher', render: () => <Campaigns /> },
  { pattern: /^\/rungopher\/results$/, title: 'Rungopher results', nav: 'Results', href: '#/rungopher/results', render: () => (
      <>
        <h1>Rungopher results</h1>
        <Results />
      </>
    ) },
  { pattern: /^\/rungopher\/campaigns\/([^/]+)$/, title: 'Campaign', render: ([id]) => <Campaign id={dec(id)} /> },
  { pattern: /^\/rungopher\/contacts\/([^/]+)\/([^/]+)$/, title: 'Contact', render: ([c, id]) => <Contact campaignId={dec(c)} contactId={dec(id)} /> },
  { pattern: /^\/rungopher\/uploads\/([^/]+)$/, title: 'Upload job', render: ([id]) => <UploadJob id={dec(id)} /> },
];
