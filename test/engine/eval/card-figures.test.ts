/**
 * The model-card block: figures per kind with majority rates from that kind's samples, the
 * issue-4 target checks on hand-made outcomes, and replacing or appending the marked block
 * without touching the rest of the card.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_END, BLOCK_START, cardFigures, checkTargets, putBlock, renderBlock } from '../../../src/engine/eval/card-figures';
import type { MethodOutcome } from '../../../src/engine/eval/compare';
import type { SampleOutcome } from '../../../src/engine/eval/evaluate';

const outcome = (id: string, kind: 'image' | 'video', type: string, correct: boolean): SampleOutcome => ({ id, type, kind, question: 'q', expected: 'a', answer: correct ? 'a' : 'b', correct, ms: { total: 1 } });
const pruned = (o: SampleOutcome, method: string, correct: boolean, retention: number): MethodOutcome => ({
  ...o, method, retention, correct, unprunedAnswer: o.answer, unprunedCorrect: o.correct, sameAnswer: correct === o.correct, top1Agree: true, kl: 0, logProbChange: 0, flopsRatio: 0.5, equivalentTokens: 10, achievedRetention: retention,
});
// Ten images of type colour (9 right), ten videos of type direction (8 right).
const unpruned = [
  ...Array.from({ length: 10 }, (_, i) => outcome(`i${i}`, 'image', 'color', i < 9)),
  ...Array.from({ length: 10 }, (_, i) => outcome(`v${i}`, 'video', 'direction', i < 8)),
];
// Majority rates: colour 'a' in 2 of 10 (20%), direction 'a' in 7 of 10 (70%).
const all = [
  ...Array.from({ length: 10 }, (_, i) => ({ type: 'color', answer: i < 2 ? 'a' : `c${i}`, media: { kind: 'image' as const } })),
  ...Array.from({ length: 10 }, (_, i) => ({ type: 'direction', answer: i < 7 ? 'a' : 'b', media: { kind: 'video' as const } })),
];

describe('card figures', () => {
  const methods = [...unpruned.map((o, i) => pruned(o, 'oracle', i !== 0, 0.15)), ...unpruned.map((o, i) => pruned(o, 'random', i % 4 !== 3, 0.11))];
  const f = cardFigures(unpruned, methods, all);
  it('summarises per kind with that kind\'s majority rates', () => {
    expect(f.unpruned.image!.accuracy).toBeCloseTo(0.9);
    expect(f.unpruned.video!.accuracy).toBeCloseTo(0.8);
    expect(f.unpruned.image!.byType.color!.majority).toBeCloseTo(0.2);
    expect(f.unpruned.video!.byType.direction!.majority).toBeCloseTo(0.7);
    expect(f.pruned.oracle!.all!.accuracy).toBeCloseTo(0.95);
    expect(f.pruned.random!.all!.n).toBe(20);
    expect(f.pruned.random!.all!.retention).toBeCloseTo(0.11);
  });
  it('checks each target against its threshold', () => {
    const t = checkTargets(f, { oracle: 'oracle', random: 'random' });
    expect(t.map((x) => x.met)).toEqual([true, true, false, true, false]);
    expect(t[2]!.measured).toContain('direction +10.0');
    expect(t[4]!.measured).toContain('−10.0 points (random 75.0%)');
  });
  it('replaces the block in place, or appends it', () => {
    const block = renderBlock(f, checkTargets(f, { oracle: 'oracle', random: 'random' }), { export: 'e', bench: 'b', samples: 's', machine: 'm', date: 'd', command: 'c', wall: 'w' }, {});
    expect(block.startsWith(BLOCK_START) && block.endsWith(BLOCK_END)).toBe(true);
    const appended = putBlock('# Card\n\ntext\n\n', block);
    expect(appended).toBe(`# Card\n\ntext\n\n${block}\n`);
    expect(putBlock(`# Card\n${BLOCK_START}\nold\n${BLOCK_END}\n## After\n`, 'NEW')).toBe('# Card\nNEW\n## After\n');
    expect(putBlock(appended, block)).toBe(appended);
    expect(() => putBlock(`x ${BLOCK_START}`, block)).toThrow(/unmatched/);
  });
});
