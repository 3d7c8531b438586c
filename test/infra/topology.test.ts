import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { functionList, functions, queues, vendors, visibilityTimeoutSeconds } from '#infra/topology/index.ts';
import type { FunctionDecl, FunctionName, QueueName } from '#infra/topology/index.ts';
import { queueConsumerMetrics } from '#infra/topology/platform.ts';
import { bundleText, findMetrics, findRouteKeys } from './bundle-scan.ts';

/**
 * The topology is the only truth: what it declares must be what the code does. Unit speed: esbuild
 * bundles each entry in memory (node_modules left out) and the checks read the bundle text.
 */

describe('topology declarations', () => {
  it('names every vendor resource after its vendor, so a name says whose it is', () => {
    const strays = vendors.flatMap((v) =>
      (['tables', 'queues', 'functions'] as const).flatMap((kind) => Object.keys(v[kind]).filter((n) => !n.startsWith(`${v.name}-`)).map((n) => `${v.name} ${kind}: ${n}`)),
    );
    expect(strays).toEqual([]);
  });

  it("names each queue's consumer: exactly the one function whose trigger is that queue", () => {
    const triggered = (q: QueueName) => functionList().filter((f) => f.trigger.kind === 'queue' && f.trigger.queue === q).map((f) => f.name);
    for (const [name, decl] of Object.entries(queues) as [QueueName, { consumer: FunctionName }][]) {
      expect({ queue: name, consumers: triggered(name) }).toEqual({ queue: name, consumers: [decl.consumer] });
      expect(visibilityTimeoutSeconds(name)).toBe(6 * ((functions[decl.consumer] as FunctionDecl).timeoutSeconds ?? 30));
    }
    for (const f of functionList()) {
      if (f.trigger.kind === 'queue') expect({ fn: f.name, namedBy: queues[f.trigger.queue].consumer }).toEqual({ fn: f.name, namedBy: f.name });
    }
  });

  it('publishes through a queue only where the queue is its own and its consumer publishes the same events', () => {
    const through = functionList().filter((f) => f.publishesThrough !== undefined);
    // The two webhooks: their hub.quarantined goes to their queue's consumer (platform/webhook.ts).
    expect(through.map((f) => f.name).sort()).toEqual(['goodays-webhook', 'rungopher-webhook']);
    for (const f of through) {
      const q = f.publishesThrough as QueueName;
      const consumer = functions[queues[q].consumer] as FunctionDecl;
      expect({ fn: f.name, sends: f.sends?.includes(q) }).toEqual({ fn: f.name, sends: true });
      expect({ fn: f.name, missing: (f.publishes ?? []).filter((t) => !consumer.publishes?.includes(t)) }).toEqual({ fn: f.name, missing: [] });
    }
  });
});

describe('the layout', () => {
  it('has one handler file per declared function, each at most 25 lines, and no other', () => {
    const handlerFiles = readdirSync(join(PROJECT_ROOT, 'functions'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => {
        const dir = join('functions', d.name, 'handlers');
        try {
          return readdirSync(join(PROJECT_ROOT, dir)).map((f) => join(dir, f));
        } catch {
          return [];
        }
      })
      .sort();
    expect(handlerFiles).toEqual(functionList().map((f) => f.entry).sort());
    const long = handlerFiles.map((f) => ({ f, lines: readFileSync(join(PROJECT_ROOT, f), 'utf8').trimEnd().split('\n').length })).filter((h) => h.lines > 25);
    expect(long).toEqual([]);
  });

  it('keeps each vendor in its own folder: no vendor imports another vendor', () => {
    const names = vendors.map((v) => v.name);
    const crossings: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
    for (const vendor of [...names, 'platform']) {
      for (const file of walk(join('functions', vendor))) {
        for (const m of readFileSync(join(PROJECT_ROOT, file), 'utf8').matchAll(/from '#([a-z]+)\//g)) {
          if (m[1] !== vendor && m[1] !== 'platform') crossings.push(`${file} imports #${m[1]}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });
});

describe('adding a vendor', () => {
  /** The registries a new vendor adds one line to (an import and a list entry), as the README says. */
  const REGISTRIES = ['infra/topology/index.ts', 'infra/local/sandboxes/index.ts', 'infra/cli/main.ts', 'functions/console/app/pages/index.tsx', 'functions/customers/sources.ts'];

  it("needs no platform or other vendor's code to name it: only its own files and one line per registry", () => {
    const walk = (dir: string): string[] =>
      // `dist` holds what a build made from these sources (the CLI bundle, the console), not code of its own.
      readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? (d.name === 'dist' ? [] : walk(join(dir, d.name))) : /\.(ts|tsx|mjs)$/.test(d.name) ? [join(dir, d.name)] : []));
    const code = [...walk('functions'), ...walk('infra')];
    for (const { name } of vendors) {
      // A vendor's own files: its folder, and files named after it (its topology, sandbox, CLI commands, console pages).
      const own = (f: string) => f.startsWith(`functions/${name}/`) || new RegExp(`/${name}[^/]*\\.tsx?$`).test(f);
      const naming = code
        .filter((f) => !own(f))
        .flatMap((f) =>
          readFileSync(join(PROJECT_ROOT, f), 'utf8')
            .split('\n')
            // Comments may use a vendor as an example; code may not depend on one.
            .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && line.toLowerCase().includes(name))
            .map((line) => ({ f, line: line.trim() })),
        );
      expect(naming.filter((n) => !REGISTRIES.includes(n.f))).toEqual([]);
      // One import and one list entry per registry.
      for (const r of REGISTRIES) expect({ vendor: name, registry: r, lines: naming.filter((n) => n.f === r).length }).toEqual({ vendor: name, registry: r, lines: 2 });
    }
  });
});

describe('topology against the code', () => {
  const bundles = new Map<FunctionName, string>();
  beforeAll(async () => {
    for (const f of functionList()) bundles.set(f.name, await bundleText(PROJECT_ROOT, f.entry));
  }, 60_000);
  const bundle = (name: FunctionName): string => {
    const text = bundles.get(name);
    if (text === undefined) throw new Error(`No bundle for ${name}`);
    return text;
  };

  it('declares every metric a function emits (a metric nobody declared is on no dashboard)', () => {
    const problems = functionList().flatMap((f) => {
      const declared = new Set<string>([...(f.metrics ?? []), ...(f.trigger.kind === 'queue' ? queueConsumerMetrics : [])]);
      const found = findMetrics(bundle(f.name));
      return [
        ...[...found.names].filter((m) => !declared.has(m)).map((m) => `${f.name} emits ${m}, not in its metrics`),
        ...[...found.prefixes].filter((p) => ![...declared].some((m) => m.startsWith(p))).map((p) => `${f.name} emits ${p}\${...}, no declared metric starts so`),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('emits every metric a function declares (a declared metric nothing emits graphs nothing)', () => {
    const problems = functionList().flatMap((f) => {
      const text = bundle(f.name);
      const found = findMetrics(text);
      const emitted = (m: string) => found.names.has(m) || [...found.prefixes].some((p) => m.startsWith(p)) || text.includes(`'${m}'`) || text.includes(`"${m}"`);
      return [...(f.metrics ?? []), ...(f.alarms ?? []).map((a) => a.metric)].filter((m) => !emitted(m)).map((m) => `${f.name} declares ${m}, its code never names it`);
    });
    expect(problems).toEqual([]);
  });

  it('routes: every declared route has a handler branch, and every handled route is declared', () => {
    const problems = functionList().flatMap((f) => {
      const keys = findRouteKeys(bundle(f.name));
      if (f.trigger.kind !== 'http') return [...keys].map((k) => `${f.name} (${f.trigger.kind}) handles route ${k}`);
      const declared = new Set(f.trigger.routes.map((r) => `${r.method} ${r.path}`));
      const undeclared = [...keys].filter((k) => !declared.has(k)).map((k) => `${f.name} handles ${k}, not a declared route`);
      // One route needs no switch: the gateway sends that function nothing else.
      if (declared.size === 1 && keys.size === 0) return undeclared;
      return [...undeclared, ...[...declared].filter((k) => !keys.has(k)).map((k) => `${f.name} declares ${k}, no handler branch for it`)];
    });
    expect(problems).toEqual([]);
  });
});

describe('bundle scanner', () => {
  it('finds metric names however the code passes them, and only those', () => {
    const text = [
      `var POLL_METRICS = { read: "Polled", "first-seen": 'FirstSeen' };`,
      `const GAUGE = 'Gauge';`,
      `function count(name, value = 1) { metrics.addMetric(name, MetricUnit.Count, value); }`,
      `count('Plain'); count2("Double", 3); count(POLL_METRICS.read); metrics.addMetric(GAUGE, MetricUnit.Count, n);`,
      'count(`Action_${outcome.state}`);',
      `count(outcome.result === 'duplicate' ? 'Dup' : 'Stored');`,
      `export const handler = webhookHandler({ vendor: 'x', metrics: { accepted: 'Accepted', rejected: "Rejected" } });`,
      `recount('NotAMetric'); x.count('NotEither');`,
    ].join('\n');
    const found = findMetrics(text);
    expect([...found.names].sort()).toEqual(['Accepted', 'Double', 'Dup', 'FirstSeen', 'Gauge', 'Plain', 'Polled', 'Rejected', 'Stored']);
    expect([...found.prefixes]).toEqual(['Action_']);
  });

  it('finds route keys', () => {
    expect([...findRouteKeys(`switch (e.routeKey) { case "GET /a/{id}": break; case 'POST /b': break; } throw new E(\`No route \${e.routeKey}\`);`)]).toEqual(['GET /a/{id}', 'POST /b']);
  });
});
