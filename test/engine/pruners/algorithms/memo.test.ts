import { describe, expect, it } from 'vitest';
import { memoizePure } from '../../../../src/engine/pruners/algorithms/memo';
import { mustDropStageTargets } from '../../../../src/engine/pruners/algorithms/mustdrop-filter';
import { sparseVlmSchedule } from '../../../../src/engine/pruners/algorithms/sparsevlm';

describe('memoizePure', () => {
  it('computes once per argument list, shares a frozen result, and evicts the least recently used', () => {
    let calls = 0;
    const f = memoizePure((n: number, xs: number[]) => {
      calls++;
      return { n, xs: [...xs], nested: [{ v: n }] };
    }, 2);
    const a = f(1, [2, 3]);
    expect(f(1, [2, 3])).toBe(a);
    expect(calls).toBe(1);
    expect(f(1, [2, 4])).not.toBe(a);
    expect(calls).toBe(2);
    expect(() => {
      (a.nested[0] as { v: number }).v = 9;
    }).toThrow(TypeError);
    f(1, [2, 3]); // most recent now; (1, [2, 4]) is the oldest
    f(5, []); // evicts (1, [2, 4])
    expect(calls).toBe(3);
    f(1, [2, 3]);
    expect(calls).toBe(3);
    f(1, [2, 4]);
    expect(calls).toBe(4);
  });

  it('gives the schedules the same values as a fresh solve', () => {
    const first = mustDropStageTargets(576, [2, 6, 10, 14], 32, 128, 47);
    expect(mustDropStageTargets(576, [2, 6, 10, 14], 32, 128, 47)).toBe(first);
    expect(mustDropStageTargets(576, [2, 6, 10, 14], 32, 129, 47)).not.toBe(first);
    const s = sparseVlmSchedule(576, 0.25, 32);
    expect(sparseVlmSchedule(576, 0.25, 32)).toEqual(s);
    expect(Object.isFrozen(s.stages[0])).toBe(true);
  });
});
