import { describe, expect, it } from 'vitest';
import { compileRoute, requestLine } from '#infra/local/gateway.ts';

const routes = [
  compileRoute('POST', '/webhooks/rungopher/{token}', 'rungopher-webhook'),
  compileRoute('GET', '/netcore/users/{botUserId}', 'netcore-api'),
  compileRoute('GET', '/netcore/users/{botUserId}/transcripts', 'netcore-api'),
  compileRoute('GET', '/rungopher/results', 'rungopher-api'),
];
const at = new Date('2026-11-21T10:00:00.123Z');
const line = (method: string, path: string, status: number | string = 200) => requestLine(routes, method, new URL(path, 'http://local'), status, 12, at);

describe('the gateway request line', () => {
  it('shows method, route, status and ms, with every path value masked', () => {
    const token = 'Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY3OA';
    expect(line('POST', `/webhooks/rungopher/${token}`)).toBe('2026-11-21T10:00:00.123Z HTTP  POST /webhooks/rungopher/{token} 200 12 ms');
    expect(line('GET', `/netcore/users/${encodeURIComponent('+919876543213')}/transcripts`, 404)).toBe('2026-11-21T10:00:00.123Z HTTP  GET /netcore/users/{botUserId}/transcripts 404 12 ms');
    expect(line('GET', '/netcore/users/919876543213')).not.toContain('919876543213');
  });

  it('shows a query by its keys only, and nothing of a path no route matches', () => {
    expect(line('GET', '/rungopher/results?campaignId=7&contactId=%2B61400000000&limit=5&limit=6')).toBe('2026-11-21T10:00:00.123Z HTTP  GET /rungopher/results?campaignId&contactId&limit 200 12 ms');
    expect(line('GET', '/webhooks/rungopher/secret/extra', 404)).toBe('2026-11-21T10:00:00.123Z HTTP  GET (no route) 404 12 ms');
    expect(line('POST', '/_local/schedules/netcore-users-poller')).toBe('2026-11-21T10:00:00.123Z HTTP  POST /_local/schedules/{name} 200 12 ms');
    expect(line('POST', '/rungopher/results?%2B61400000000=x', 'aborted')).toBe('2026-11-21T10:00:00.123Z HTTP  POST (no route)?… aborted 12 ms');
  });
});
