import { describe, expect, it, vi } from 'vitest';
import { findPersonalText, maskPersonalText, normaliseEmail, normalisePhone } from '#platform/identity.ts';
import { HubLogger } from '#platform/observability.ts';

describe('identifiers', () => {
  it('normalises phone numbers to E.164 as the contact CSV does, and e-mail addresses to lower case', () => {
    expect(normalisePhone('0412 345 678')).toBe('+61412345678');
    expect(normalisePhone('+61 412 345 678')).toBe('+61412345678');
    expect(normalisePhone('919876543210')).toBe('+919876543210');
    expect(normalisePhone('+919876543210')).toBe('+919876543210');
    expect(normalisePhone('hello')).toBeUndefined();
    expect(normalisePhone('12')).toBeUndefined();
    expect(normaliseEmail(' Alice.Nguyen@Example.COM ')).toBe('alice.nguyen@example.com');
    expect(normaliseEmail('not-an-email')).toBeUndefined();
  });

  it('masks phones (last 3 digits) and e-mails (first letter and domain), and leaves dates, times, ids and UUIDs alone', () => {
    expect(maskPersonalText('call +61412345678 or 0412 345 678 or 919876543210')).toBe('call +…678 or …678 or …210');
    expect(maskPersonalText('from Alice.Nguyen@example.com')).toBe('from A…@example.com');
    const plain = 'at 2026-12-01T13:27:21.123Z id=110 request 3f1c2a9e-1234-4abc-8def-012345678901 took 1234 ms, port 127.0.0.1:3000';
    expect(maskPersonalText(plain)).toBe(plain);
    expect(findPersonalText(maskPersonalText('+61412345678 a@b.co'))).toEqual([]);
  });

  it('the log formatter masks every line: message, appended keys, nested values, text keys and errors', () => {
    const lines: string[] = [];
    const keep = (chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
      return true;
    };
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(keep), vi.spyOn(process.stderr, 'write').mockImplementation(keep), ...(['log', 'warn', 'error', 'info', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(keep))];
    try {
      for (const format of ['line', 'json'] as const) {
        const log = new HubLogger({ serviceName: 't', logLevel: 'DEBUG' }, format);
        log.appendKeys({ botUserId: '+919876543210' });
        log.debug('user bob@example.org wrote', { event: { body: '{"phone":"0412 345 678"}', user: { email: 'c@d.io' } }, content: 'my words' });
        log.error('failed', { error: new Error('no user +61412345678') });
      }
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(lines.filter((l) => /DEBUG|ERROR/.test(l))).toHaveLength(4);
    for (const l of lines) expect({ l, found: findPersonalText(l) }).toEqual({ l, found: [] });
    expect(lines.join('\n')).not.toContain('my words');
    expect(lines.join('\n')).toContain('+…210');
    expect(lines.join('\n')).toContain('b…@example.org');
  });
});
