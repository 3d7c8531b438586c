import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import type { EventDefinition } from '#platform/outbound/event.ts';
import { topologyModules } from '#infra/topology/index.ts';

/** One event type as the API document publishes it. */
export interface CatalogueEntry {
  readonly type: string;
  readonly source: string;
  readonly version: number;
  readonly description: string;
  /** JSON Schema (draft 2020-12) of `data`, generated from the zod definition: the whole data, or the key with `omitted` and `href`. */
  readonly schema: Record<string, unknown>;
}

/**
 * Every event type with the JSON Schema of its `data`, from each topology module's `eventModule` (loaded
 * by path, as handlers are), for the API document and the README's catalogue.
 */
export async function eventCatalogue(projectRoot = resolve(import.meta.dirname, '..')): Promise<CatalogueEntry[]> {
  const out: CatalogueEntry[] = [];
  for (const m of topologyModules) {
    const mod = (await import(pathToFileURL(resolve(projectRoot, m.eventModule)).href)) as { events?: readonly EventDefinition[] };
    for (const def of mod.events ?? []) {
      out.push({ type: def.type, source: def.source, version: def.version, description: def.description, schema: z.toJSONSchema(def.published, { io: 'output' }) as Record<string, unknown> });
    }
  }
  return out.sort((a, b) => a.type.localeCompare(b.type));
}
