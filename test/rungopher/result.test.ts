import { describe, expect, it } from 'vitest';
import { parseResult, parseResultValue, resultSortKey } from '#rungopher/domain/result.ts';
import { DOC_SAMPLES, makeResult } from './samples.ts';

describe('Rungopher result schema', () => {
  it.each(DOC_SAMPLES.map((s) => [s.resultName, s.id, s] as const))('accepts the document sample %s (id %s)', (_n, _id, sample) => {
    const out = parseResultValue(sample);
    expect(out.ok).toBe(true);
    if (out.ok) {
      expect(out.result.id).toBe(String(sample.id));
      expect(out.result.campaignId).toBe(String(sample.campaignId));
    }
  });

  it('keeps unknown result types and names as data', () => {
    const out = parseResultValue(makeResult({ id: 900, resultType: 'rating', resultName: 'npsScore', data: { score: 9, comment: 'good' } }));
    expect(out.ok && out.result.data).toEqual({ score: 9, comment: 'good' });
  });

  it('accepts emailConfirmed, which the document lists without a sample', () => {
    expect(parseResultValue(makeResult({ id: 901, resultName: 'emailConfirmed', data: { answer: 'no' } })).ok).toBe(true);
  });

  it.each([
    ['missing id', { id: undefined }, 'id'],
    ['timestamp without offset', { timestamp: '2017-11-14T10:56:14' }, 'timestamp'],
    ['boolean without answer', { data: {} }, 'data.answer'],
    ['email type without email', { resultType: 'email', data: { answer: 'yes' } }, 'data.email'],
    ['linkClicked with a non-numeric count', { resultType: 'linkClicked', data: { link: 'https://x', count: 'many' } }, 'data.count'],
    ['data not an object', { data: 'yes' }, 'data'],
  ])('rejects %s, naming the field', (_name, overrides, field) => {
    const out = parseResultValue(makeResult(overrides as Record<string, unknown>));
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toContain(field);
  });

  it('explains a body that is not JSON', () => {
    const out = parseResult('{"id": 1,');
    expect(out).toMatchObject({ ok: false });
    if (!out.ok) expect(out.reason).toMatch(/not JSON/);
  });

  it('sorts by UTC instant whatever the offset, then numerically by id', () => {
    const a = resultSortKey({ id: '9', timestamp: '2017-11-14T20:00:00+10:00' }); // 10:00Z
    const b = resultSortKey({ id: '10', timestamp: '2017-11-14T10:00:00Z' });
    const c = resultSortKey({ id: '1', timestamp: '2017-11-14T10:00:01Z' });
    expect([c, b, a].sort()).toEqual([a, b, c]);
  });
});
