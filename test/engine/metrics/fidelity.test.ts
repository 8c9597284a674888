import { describe, expect, it } from 'vitest';
import { argmaxOf, fidelity, klFromLogits, logSoftmax } from '../../../src/engine/metrics/fidelity';

describe('klFromLogits', () => {
  it('is 0 for identical distributions, also when logits differ by a constant', () => {
    expect(klFromLogits([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(klFromLogits([1, 2, 3], [11, 12, 13])).toBeCloseTo(0, 12);
  });
  it('matches a hand computation and is asymmetric', () => {
    // P = (0.5, 0.5), Q = (0.25, 0.75): KL = 0.5 ln 2 + 0.5 ln(2/3)
    const p = [0, 0];
    const q = [Math.log(0.25), Math.log(0.75)];
    expect(klFromLogits(p, q)).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 12);
    // KL(Q‖P) = 0.25 ln 0.5 + 0.75 ln 1.5
    expect(klFromLogits(q, p)).toBeCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 12);
  });
  it('stays finite for a near-zero probability and refuses mismatched vocabularies', () => {
    const kl = klFromLogits([0, 0], [0, -200]);
    expect(Number.isFinite(kl)).toBe(true);
    expect(kl).toBeGreaterThan(90);
    expect(() => klFromLogits([0, 1], [0, 1, 2])).toThrow(/vocabularies differ/);
  });
});

describe('logSoftmax / argmaxOf', () => {
  it('normalises and refuses non-finite logits', () => {
    const l = logSoftmax([1000, 1000]);
    expect(l[0]).toBeCloseTo(Math.log(0.5), 12);
    expect(() => logSoftmax([0, Number.NaN])).toThrow(/logit 1/);
    expect(argmaxOf([0.1, 0.7, 0.7])).toBe(1);
  });
});

describe('fidelity', () => {
  it('identical runs: same answer, top-1 agreement, KL 0, no log-prob change', () => {
    const run = { answer: 'Red.', firstLogits: new Float32Array([0.1, 3, -1]) };
    expect(fidelity(run, { answer: 'red', firstLogits: run.firstLogits })).toEqual({ sameAnswer: true, top1Agree: true, klFirstToken: 0, logProbChange: 0 });
  });
  it('a run that moved its mass: different top-1, positive KL, negative log-prob change', () => {
    const ref = { answer: 'red', firstLogits: [0, 2, 0] };
    const run = { answer: 'blue', firstLogits: [2, 0, 0] };
    const f = fidelity(ref, run);
    expect(f.sameAnswer).toBe(false);
    expect(f.top1Agree).toBe(false);
    expect(f.klFirstToken).toBeGreaterThan(0);
    const lp = logSoftmax(ref.firstLogits);
    const lq = logSoftmax(run.firstLogits);
    expect(f.logProbChange).toBeCloseTo(lq[1]! - lp[1]!, 12);
    expect(f.logProbChange).toBeLessThan(0);
  });
});
