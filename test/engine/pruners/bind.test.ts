/**
 * The binder's edit application without a model: a test method edits a hand-built TokenSequence
 * through the runtime hook the binder returns, and the tensors and the trace must agree.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { TokenSequence } from '../../../src/engine/models/runtime/token-sequence';
import { bindPruner } from '../../../src/engine/pruners/bind';
import { definePruner, type RunGeometry, type TokenEdit } from '../../../src/engine/pruners/define';

const geometry: RunGeometry = { vitLayers: 2, featureLayer: 0, decoderLayers: 2, patchGrid: { rows: 2, cols: 2 }, grid: { frames: 1, rows: 2, cols: 2 }, visualTokens: 4 };

function testMethod(edit: TokenEdit) {
  return definePruner({
    id: 'random',
    label: 'test',
    paper: { title: 'test', arxiv: '', url: '' },
    stages: ['vision'],
    modalities: ['image'],
    params: z.object({}),
    positions: 'compact',
    retention: 'kept',
    resolveParams: () => ({ params: {} }),
    needs: () => ({}),
    createState: () => ({}),
    hooks: { beforeLlm: () => edit },
  });
}

/** Four visual tokens of width 2: token i = [i, 10·i]. */
function visual(): TokenSequence {
  return new TokenSequence(Float32Array.from([0, 0, 1, 10, 2, 20, 3, 30]), 2, new Uint8Array(4).fill(1), undefined, Int32Array.from([0, 1, 2, 3]));
}

describe('bindPruner edits', () => {
  it('merges into the plain mean at the representative row, keeps rows, and records the same in the trace', async () => {
    const bound = bindPruner(testMethod({ label: 'merge', sequence: [{ keep: 3 }, { merge: [0, 2], name: 'g', at: 2 }], scores: [0.1, 0.2, 0.3, 0.4] }), { retention: 0.5 }, geometry);
    const seq = visual();
    await bound.hooks.afterProjector!({ seq, frames: [{ frame: 0, start: 0, count: 4, grid: { rows: 2, cols: 2 } }], tokensPerFrame: 4 });
    expect(Array.from(seq.hidden)).toEqual([3, 30, 1, 10]);
    expect(Array.from(seq.sources)).toEqual([3, 2]); // the merged row sits where its `at` member was
    const trace = bound.trace({ prefixLength: 1, visualIds: Int32Array.from([3, 2]), suffixLength: 2 });
    expect(trace.steps[0]).toMatchObject({ stage: 'vision', order: [3, 4], dropped: [{ id: 1, score: 0.2 }], created: [4] });
    expect(trace.groups[0]).toMatchObject({ members: [0, 2], at: 2 });
  });

  it('refuses positions outside the block and scores of the wrong length, before touching anything', async () => {
    for (const edit of [
      { label: 'bad position', sequence: [{ keep: 4 }] },
      { label: 'bad scores', sequence: [{ keep: 0 }], scores: [1, 2] },
    ]) {
      const bound = bindPruner(testMethod(edit), { retention: 0.5 }, geometry);
      const seq = visual();
      await expect(async () => bound.hooks.afterProjector!({ seq, frames: [], tokensPerFrame: 4 })).rejects.toThrow(edit.label === 'bad position' ? /position 4 is outside/ : /2 scores for 4 tokens/);
      expect(seq.length).toBe(4);
    }
  });
});
