import { describe, expect, it } from 'vitest';
import { eventCatalogue } from '#infra/event-catalogue.ts';
import { events } from '#infra/topology/index.ts';

describe('the event catalogue', () => {
  it('defines every declared event type once, with the declared version, and nothing undeclared', async () => {
    const catalogue = await eventCatalogue();
    expect(catalogue.map((e) => [e.type, e.version]).sort()).toEqual(Object.entries(events).map(([t, d]) => [t, d.version]).sort());
    expect(new Set(catalogue.map((e) => e.type)).size).toBe(catalogue.length);
    expect(catalogue.map((e) => e.type)).toEqual(['goodays.action.settled', 'goodays.thread.updated', 'hub.quarantined', 'netcore.messages.stored', 'netcore.user.updated', 'rungopher.contact.updated', 'rungopher.result.stored']);
    for (const e of catalogue) expect(e.source).toBe(`switchboard.${e.type.split('.')[0]}`);
  });

  it('publishes a JSON Schema of each data: the whole data, or its key with omitted and href', async () => {
    for (const e of await eventCatalogue()) {
      const shapes = (e.schema.anyOf ?? []) as { type: string; required: string[] }[];
      expect({ type: e.type, kinds: shapes.map((s) => s.type) }).toEqual({ type: e.type, kinds: ['object', 'object'] });
      expect(shapes[1]?.required).toEqual(expect.arrayContaining(['omitted', 'href']));
      // The key is in both shapes.
      for (const k of shapes[1]?.required.filter((r) => r !== 'omitted' && r !== 'href') ?? []) expect(shapes[0]?.required).toContain(k);
    }
  });
});
