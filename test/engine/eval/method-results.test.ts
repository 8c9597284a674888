/**
 * renderPage's one-object section: the verdict on issue 5's target (text-guided and diversity
 * methods above random at the lowest retention) and the reason given for each method not above
 * random, from synthetic cells.
 */
import { describe, expect, it } from 'vitest';
import { renderPage, type PageContext, type ResultCell } from '../../../src/engine/eval/method-results';
import type { MethodGuidance } from '../../../src/shared/schemas/methods';

const R = 1 / 9;

function cell(method: string, oneObjectAccuracy: number, relevantKept: number, retention = R): ResultCell {
  return {
    method, retention, n: 100, accuracy: oneObjectAccuracy, relativeAccuracy: oneObjectAccuracy, agreement: 1, kl: 0, equivalentTokens: 11, flopsRatio: 0.4,
    relevantKept, achievedRetention: retention, oneObject: { n: 60, accuracy: oneObjectAccuracy }, notes: [],
  };
}

function page(cells: ResultCell[], guidance: Record<string, MethodGuidance>): string {
  const ctx: PageContext = {
    model: 'm', machine: 'x', provider: 'cpu', date: 'd', bench: 'b', samples: 100, benchmarkImages: 100, visualTokens: 100, command: 'c',
    meanings: Object.fromEntries(cells.map((c) => [c.method, 'kept' as const])), guidance,
  };
  return renderPage(ctx, cell('none', 0.97, 1, 1), cells, [R]);
}

describe('renderPage one-object section', () => {
  it('says the target is met when every text-guided and diversity method is above random, and explains a content-blind one below it', () => {
    const text = page([cell('random', 0.6, 0.12), cell('pool', 0.55, 0.12), cell('fastv', 0.9, 0.22), cell('divprune', 0.7, 0.13)], { random: 'none', pool: 'none', fastv: 'text', divprune: 'diversity' });
    expect(text).toContain('| fastv | text-guided | 60 | 90.0% | 60.0% | 22.0% | 12.0% |');
    expect(text).toContain('Target (text-guided and diversity methods above random): met by all 2 (fastv, divprune).');
    expect(text).toMatch(/Not above random: \*\*pool\*\* \(55\.0% vs 60\.0%; relevant kept 12\.0% vs 12\.0%\): it chooses tokens without looking at them.*with the same share kept/);
    expect(text).not.toContain('**fastv**');
  });

  it('names a targeted method that misses, with the reason its relevant-kept share points to', () => {
    const text = page([cell('random', 0.6, 0.12), cell('fastv', 0.58, 0.2), cell('sparsevlm', 0.5, 0.1), cell('visionzip', 0.59, 0.3)], { random: 'none', fastv: 'text', sparsevlm: 'text', visionzip: 'visual' });
    expect(text).toContain('Target (text-guided and diversity methods above random): missed by fastv, sparsevlm; met by 0 of 2.');
    expect(text).toMatch(/\*\*fastv\*\* [^\n]*: it holds more of the object's tokens than random/);
    expect(text).toMatch(/\*\*sparsevlm\*\* [^\n]*: its scores did not find the object's tokens/);
    // Not a target class, yet still listed with its reason.
    expect(text).toMatch(/\*\*visionzip\*\* [^\n]*: it holds more of the object's tokens/);
    expect(text).toContain('differences of a few points are within noise');
  });

  it('says so when every method is above random', () => {
    const text = page([cell('random', 0.6, 0.12), cell('fastv', 0.9, 0.2)], { random: 'none', fastv: 'text' });
    expect(text).toContain('Every method is above random on one-object questions here.');
    expect(text).not.toContain('Not above random');
  });
});
