import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HubLogFormatter, HubLogger } from '#platform/observability.ts';

/** One log call on each logger, what it printed (Powertools' JSON goes to process.stdout, lines to console). */
function printed(log: (l: Logger) => void, logger: Logger): string[] {
  const out: string[] = [];
  const push = (chunk: unknown) => {
    out.push(String(chunk).trimEnd());
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(push),
    vi.spyOn(process.stderr, 'write').mockImplementation(push),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(push)),
  ];
  try {
    log(logger);
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return out;
}

const context = { functionName: 'rungopher-processor', awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:rungopher-processor', memoryLimitInMB: '512' } as Context;
const sample = (l: Logger) => {
  l.addContext(context);
  l.appendKeys({ requestId: 'req-1' });
  l.info('Result stored', { resultId: 'r-42', messageId: 'm 7' });
};
afterEach(() => vi.useRealTimers());

describe('the hub log formatter', () => {
  it('on AWS (json) prints exactly what Powertools prints', () => {
    vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00.123Z') });
    const ours = printed(sample, new HubLogger({ serviceName: 'switchboard', logLevel: 'INFO' }));
    const stock = printed(sample, new Logger({ serviceName: 'switchboard', logLevel: 'INFO' }));
    expect(ours).toEqual(stock);
    expect(ours).toHaveLength(1);
    expect(JSON.parse(ours[0] ?? '')).toMatchObject({ level: 'INFO', message: 'Result stored', function_name: 'rungopher-processor', requestId: 'req-1', resultId: 'r-42' });
  });

  it('locally (line) prints one line: time, level, function, message, then the ids', () => {
    vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00.123Z') });
    const lines = printed(sample, new HubLogger({ serviceName: 'switchboard', logLevel: 'INFO' }, 'line'));
    expect(lines).toEqual(['2026-11-21T10:00:00.123Z INFO  rungopher-processor Result stored requestId=req-1 resultId=r-42 messageId="m 7"']);
  });

  it('a line stays one line: errors by name, message and place, newlines folded, objects compact; children alike', () => {
    const logger = new HubLogger({ serviceName: 'switchboard', logLevel: 'INFO' }, 'line');
    const lines = printed((l) => {
      l.error('Record failed;\nit will be retried', { error: new TypeError('bad\nthing'), counts: { stored: 2 } });
      l.createChild({ logLevel: 'WARN' }).warn('child');
    }, logger);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z ERROR switchboard Record failed; it will be retried error="TypeError: bad thing \(.+\)" counts=\{"stored":2\}$/);
    expect(lines[1]).toMatch(/^\S+Z WARN {2}switchboard child$/);
    for (const l of lines) expect(() => JSON.parse(l)).toThrow();
  });

  it('formats a Powertools log item the same way it is given one', () => {
    const f = new HubLogFormatter();
    const item = f.formatAttributes(
      { logLevel: 'WARN', message: 'Webhook quarantined', timestamp: new Date('2026-11-21T10:00:00Z'), serviceName: 'switchboard', sampleRateValue: 0, xRayTraceId: undefined, lambdaContext: undefined } as never,
      { vendor: 'rungopher', quarantineId: 'q1' },
    );
    item.prepareForPrint();
    expect(f.formatLine(item.getAttributes())).toBe('2026-11-21T10:00:00.000Z WARN  switchboard Webhook quarantined vendor=rungopher quarantineId=q1');
  });
});
