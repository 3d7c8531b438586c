import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

/** The state of one load: what it gave, or why not. */
export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on `reload`); a late answer for older deps is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls `fn` every `ms` while `active`. */
export function useInterval(fn: () => void, ms: number, active: boolean): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : undefined;
  return (
    <div class="error" role="alert">
      <strong>{e ? (e.status ? `${e.status}: ${e.message}` : e.message) : String(error)}</strong>
      {e && e.details.length > 0 && (
        <ul>
          {e.details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Loading, error or the content. */
export function Show<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (state.error) return <ErrorBox error={state.error} />;
  if (state.data === undefined) return <p class="muted" aria-busy="true">Loading…</p>;
  return <>{children(state.data)}</>;
}

/** "3 h 5 min" from minutes. */
export function duration(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${Math.floor(minutes)} min`;
  const h = Math.floor(minutes / 60);
  if (h < 48) return `${h} h ${Math.floor(minutes % 60)} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A time as the hub gave it (ISO-8601), shown in the operator's locale, with the exact value kept. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">–</span>;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <span>{iso}</span>;
  return <time dateTime={d.toISOString()} title={iso}>{d.toLocaleString()}</time>;
}

/**
 * Anything from outside shown as text, never as markup: Preact writes strings as text nodes, so a
 * body holding `<script>` is shown, not run.
 */
export function Raw({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre class="raw" tabIndex={0} aria-label={label}>
      {text}
    </pre>
  );
}

/** Next page button for cursor lists. */
export function Pager({ cursor, onNext, onFirst, atFirst }: { cursor: string | null; onNext: (c: string) => void; onFirst: () => void; atFirst: boolean }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={onFirst} disabled={atFirst}>
        First page
      </button>
      <button type="button" onClick={() => cursor && onNext(cursor)} disabled={!cursor}>
        Next page
      </button>
    </nav>
  );
}

/** Local, non-secret console settings (localStorage): the operator's e-mail and name, the inbox target. */
type Pref = 'operatorEmail' | 'operatorName' | 'targetMinutes';
export const prefs = {
  get: (key: Pref): string | null => localStorage.getItem(`switchboard.${key}`),
  set: (key: Pref, value: string): void => localStorage.setItem(`switchboard.${key}`, value),
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const scalar = (v: unknown): string => (v === null || v === undefined ? '–' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** "lastAcceptedAt" → "Last accepted at". */
export const words = (key: string): string => {
  const w = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
};

/**
 * Any JSON an answer carries, drawn without knowing its shape: a list of objects as a table (one
 * column per key), an object as a list of terms, times in the operator's locale, everything else as
 * text (never markup). For fields a page does not know yet, so they show without more work.
 */
export function JsonView({ value, label, depth = 0 }: { value: unknown; label: string; depth?: number }) {
  if (depth > 3) return <Raw label={label} value={value} />;
  if (typeof value === 'string' && ISO.test(value)) return <Time iso={value} />;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">none</span>;
    if (value.every(isRecord)) {
      const keys = [...new Set(value.flatMap((row) => Object.keys(row)))];
      return (
        <table class="list">
          <caption class="visually-hidden">{label}</caption>
          <thead>
            <tr>
              {keys.map((k) => (
                <th scope="col" key={k}>
                  {words(k)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {value.map((row, i) => (
              <tr key={i}>
                {keys.map((k) => (
                  <td key={k} data-label={words(k)}>
                    <JsonView value={row[k]} label={`${label}: ${words(k)}`} depth={depth + 1} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    return <span>{value.map(scalar).join(', ')}</span>;
  }
  if (isRecord(value)) {
    return (
      <dl class="facts">
        {Object.entries(value).map(([k, v]) => [
          <dt key={`t-${k}`}>{words(k)}</dt>,
          <dd key={`d-${k}`}>
            <JsonView value={v} label={`${label}: ${words(k)}`} depth={depth + 1} />
          </dd>,
        ])}
      </dl>
    );
  }
  return <span>{scalar(value)}</span>;
}

export function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}
