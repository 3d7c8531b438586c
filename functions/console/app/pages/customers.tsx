import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api.ts';
import { HUB_ROUTES } from '../routes.ts';
import type { ErasureShape, ExportPartShape, TimelineItemShape } from '../shapes.ts';
import { ErrorBox, Field, Pager, Show, Time, useLoad, words } from '../ui.tsx';
import type { PageDecl } from './types.ts';

/**
 * One customer across vendors: the timeline found by phone and/or e-mail, the export of everything
 * held (an access request), and the erasure, confirmed first. The person asked about is kept in the
 * page only (never in its URL, so not in the browser's history).
 */

interface Subject {
  readonly phone: string;
  readonly email: string;
}

const queryOf = (s: Subject): Record<string, string> => ({ ...(s.phone.trim() ? { phone: s.phone.trim() } : {}), ...(s.email.trim() ? { email: s.email.trim() } : {}) });
const nameOf = (s: Subject): string => [s.phone.trim(), s.email.trim()].filter(Boolean).join(' and ');

/** At most this many parts of an export (about 5 MB each) and calls of one erasure (20 s each). */
const MAX_EXPORT_PARTS = 50;
const MAX_ERASE_CALLS = 30;

function Timeline({ subject, version }: { subject: Subject; version: number }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  useEffect(() => setCursors([null]), [subject, version]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const state = useLoad(() => call<{ items: TimelineItemShape[]; nextCursor: string | null }>(HUB_ROUTES.customers, {}, { query: { ...queryOf(subject), limit: 100, cursor } }), [subject, version, cursor]);
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline, newest first</h2>
      <Show state={state}>
        {(p) => (
          <>
            {p.items.length === 0 ? (
              <p data-testid="timeline-empty">The hub holds nothing it can link to {nameOf(subject)}.</p>
            ) : (
              <table class="list timeline">
                <caption class="visually-hidden">Records about {nameOf(subject)}</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Vendor</th>
                    <th scope="col">Record</th>
                    <th scope="col">Label</th>
                    <th scope="col">Operator API path</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((i) => (
                    <tr key={`${i.ref}-${i.kind}`} data-kind={i.kind} data-vendor={i.vendor}>
                      <td data-label="When">
                        <Time iso={i.at} />
                      </td>
                      <td data-label="Vendor">{i.vendor}</td>
                      <td data-label="Record">{words(i.kind)}</td>
                      <td data-label="Label">{i.label ?? '–'}</td>
                      <td data-label="Operator API path">
                        <code>{i.link}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pager cursor={p.nextCursor} atFirst={cursors.length === 1} onFirst={() => setCursors([null])} onNext={(c) => setCursors([...cursors, c])} />
          </>
        )}
      </Show>
    </section>
  );
}

/** Every part of the export (following `nextCursor`), offered as one JSON file. */
function Export({ subject }: { subject: Subject }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<{ url: string; records: number; tables: Record<string, number>; identifiers: number; parts: number }>();
  useEffect(() => () => done && URL.revokeObjectURL(done.url), [done]);
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export (access request)</h2>
      <p class="muted">Everything the hub holds about the person, records with their items as stored, as one JSON document.</p>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            const parts: ExportPartShape[] = [];
            let cursor: string | null = null;
            do {
              const part: ExportPartShape = await call<ExportPartShape>(HUB_ROUTES.customerExport, {}, { query: { ...queryOf(subject), cursor } });
              parts.push(part);
              cursor = part.nextCursor;
            } while (cursor && parts.length < MAX_EXPORT_PARTS);
            if (cursor) throw new Error(`The export has more than ${MAX_EXPORT_PARTS} parts; use switchboard customer export`);
            const records = parts.flatMap((p) => p.records);
            const tables: Record<string, number> = {};
            for (const r of records) tables[r.table] = (tables[r.table] ?? 0) + r.items.length;
            const doc = { ...parts[0], records, nextCursor: null };
            const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
            setDone({ url, records: records.length, tables, identifiers: parts[0]?.identifiers.length ?? 0, parts: parts.length });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        Prepare the export
      </button>
      {done && (
        <div role="status" class="card">
          <p>
            {done.records} record(s) in {done.parts} part(s), reached through {done.identifiers} identifier(s):{' '}
            {Object.entries(done.tables)
              .map(([t, n]) => `${t} ${n}`)
              .join(', ') || 'nothing'}
            .
          </p>
          <a href={done.url} download="customer-export.json">
            Save the export (JSON)
          </a>
        </div>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

/** The erasure: who asks, whether to suppress later records, then a confirmation before anything is deleted. */
function Erase({ subject, onErased }: { subject: Subject; onErased: () => void }) {
  const [by, setBy] = useState('');
  const [suppress, setSuppress] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [answer, setAnswer] = useState<ErasureShape>();
  const [error, setError] = useState<unknown>();
  const busy = useRef(false);
  const [pending, setPending] = useState(false);
  const erase = async () => {
    if (busy.current) return;
    busy.current = true;
    setPending(true);
    setError(undefined);
    try {
      let out: ErasureShape | undefined;
      // Each call works for at most 20 s; `complete: false` means call again with the same query.
      for (let i = 0; i < MAX_ERASE_CALLS && !out?.complete; i += 1) {
        out = await call<ErasureShape>(HUB_ROUTES.customerErase, {}, { query: { ...queryOf(subject), suppress: suppress ? 'true' : 'false' }, headers: { 'x-requested-by': by.trim() } });
        setAnswer(out);
      }
      setConfirming(false);
      onErased();
    } catch (err) {
      setError(err);
    } finally {
      busy.current = false;
      setPending(false);
    }
  };
  return (
    <section aria-labelledby="erase-title">
      <h2 id="erase-title">Erase</h2>
      <p class="muted">Deletes every record the hub can link to the person, in every vendor's tables, and keeps an audit record (who asked, when, counts; never the identifiers).</p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setAnswer(undefined);
          setConfirming(true);
        }}
      >
        <Field id="erase-by" label="Requested by" hint="Who asks for the erasure (a name or e-mail), kept in the audit record.">
          <input id="erase-by" required maxLength={200} value={by} aria-describedby="erase-by-hint" onInput={(e) => setBy((e.target as HTMLInputElement).value)} />
        </Field>
        <div class="field">
          <label>
            <input type="checkbox" checked={suppress} onChange={(e) => setSuppress((e.target as HTMLInputElement).checked)} /> Also suppress records that arrive about them later
          </label>
        </div>
        <button type="submit" class="secondary">
          Erase this person…
        </button>
      </form>
      {confirming && (
        <div class="card warn" role="alertdialog" aria-labelledby="erase-confirm-title" aria-describedby="erase-confirm-text">
          <h3 id="erase-confirm-title">Erase everything about {nameOf(subject)}?</h3>
          <p id="erase-confirm-text">This cannot be undone. Records that arrive later are stored again{suppress ? ', unless suppressed' : ''}.</p>
          <button type="button" onClick={erase} disabled={pending}>
            Yes, erase
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setConfirming(false)} disabled={pending}>
            Cancel
          </button>
        </div>
      )}
      {answer && (
        <div role="status" class="card">
          <p>
            Erasure <code>{answer.erasureId}</code> {answer.complete ? 'complete' : 'not complete yet (call again)'}
            {answer.suppressed ? ', suppressed' : ''}:{' '}
            {Object.entries(answer.counts)
              .map(([t, n]) => `${t} ${n}`)
              .join(', ') || 'nothing to erase'}
            .
          </p>
        </div>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

export function Customers() {
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [subject, setSubject] = useState<Subject>();
  const [version, setVersion] = useState(0);
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">One customer</h1>
      <p class="muted">Everything the hub holds about a person across vendors, found by phone number and/or e-mail address.</p>
      <form
        class="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (!phone.trim() && !email.trim()) return;
          setSubject({ phone, email });
        }}
      >
        <Field id="customer-phone" label="Phone" hint="E.164 (+61412345678) or national.">
          <input id="customer-phone" type="tel" autoComplete="off" value={phone} aria-describedby="customer-phone-hint" onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="customer-email" label="E-mail">
          <input id="customer-email" type="email" autoComplete="off" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit">Look up</button>
      </form>
      {subject && (
        <>
          <Timeline subject={subject} version={version} />
          <Export subject={subject} />
          <Erase subject={subject} onErased={() => setVersion((v) => v + 1)} />
        </>
      )}
    </section>
  );
}

export const customerPages: readonly PageDecl[] = [{ pattern: /^\/customers$/, title: 'One customer', nav: 'Customers', href: '#/customers', render: () => <Customers /> }];
