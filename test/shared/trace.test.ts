import { describe, expect, it } from 'vitest';
import { TokenTrace, equivalentTokens, fatesAt, keptAt, originOf, originalsOf } from '../../src/shared/trace';
import { TraceBuilder, TraceConsistencyError } from '../../src/shared/trace-builder';

const grid = { frames: 1, rows: 2, cols: 3 }; // ids 0..5

describe('originOf', () => {
  it('maps raster ids to frame, row and column', () => {
    const video = { frames: 2, rows: 2, cols: 3 };
    expect(originOf(video, 0)).toEqual({ index: 0, frame: 0, row: 0, col: 0 });
    expect(originOf(video, 5)).toEqual({ index: 5, frame: 0, row: 1, col: 2 });
    expect(originOf(video, 10)).toEqual({ index: 10, frame: 1, row: 1, col: 1 });
    expect(() => originOf(video, 12)).toThrow(/not an original token/);
  });
});

describe('TraceBuilder', () => {
  it('records drops with scores, merges as groups, and the order after each step', () => {
    const b = new TraceBuilder(grid, 'compact');
    // vit: merge positions 0,1,3 into a window stored at 3; keep 2,4; drop 5.
    b.apply({ stage: 'vit', layer: 0, label: 'merge' }, [{ merge: [0, 1, 3], name: 'window 0', at: 3 }, { keep: 4 }, { keep: 2 }], [9, 9, 9, 9, 9, 0.25]);
    expect(b.liveIds).toEqual([6, 4, 2]);
    // llm after layer 1: drop the group (position 0) with score 0.5.
    b.keep({ stage: 'llm', layer: 1, label: 'top-k' }, [1, 2], [0.5, 0.7, 0.9]);
    const trace = TokenTrace.parse(b.finish({ decoderLayers: 4, nonVisualTokens: 10 }));
    expect(trace.groups).toEqual([{ id: 6, name: 'window 0', members: [0, 1, 3], at: 3, step: 0 }]);
    expect(trace.steps[0]!.dropped).toEqual([{ id: 5, score: 0.25 }]);
    expect(keptAt(trace, -1)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(keptAt(trace, 0)).toEqual([6, 4, 2]);
    expect(keptAt(trace, 1)).toEqual([4, 2]);
    expect(originalsOf(trace, 6)).toEqual([0, 1, 3]);
    // Layers 0 and 1 see the 3 tokens left after the ViT merge; layers 2, 3 the 2 after the llm step.
    expect(trace.layers).toEqual([
      { visual: 3, total: 13 },
      { visual: 3, total: 13 },
      { visual: 2, total: 12 },
      { visual: 2, total: 12 },
    ]);
    const after0 = fatesAt(trace, 0);
    expect(after0[0]).toEqual({ kind: 'merged', group: 6, name: 'window 0' });
    expect(after0[5]).toEqual({ kind: 'dropped', step: 0, stage: 'vit', layer: 0, score: 0.25 });
    expect(after0[2]).toEqual({ kind: 'kept' });
    // Once the group is dropped, its members are dropped with the group's score.
    expect(fatesAt(trace, 1)[1]).toEqual({ kind: 'dropped', step: 1, stage: 'llm', layer: 1, score: 0.5 });
  });

  it('rejects a token used twice, a dead position, a merge stored outside itself, and going backwards', () => {
    const b = new TraceBuilder(grid, 'original');
    expect(() => b.keep({ stage: 'vision', label: 'dup' }, [0, 0])).toThrow(TraceConsistencyError);
    expect(() => b.apply({ stage: 'vision', label: 'dead' }, [{ merge: [1, 6], name: 'g' }])).toThrow(/position 6 is not a live token/);
    expect(() => b.apply({ stage: 'vision', label: 'at' }, [{ merge: [1, 2], name: 'g', at: 3 }])).toThrow(/not one of its members/);
    expect(b.visualCount).toBe(6); // failed steps change nothing
    b.keep({ stage: 'llm', layer: 4, label: 'prune' }, [0, 1]);
    // The dropped tokens are gone: position 2 no longer exists, so they cannot be dropped again.
    expect(() => b.keep({ stage: 'llm', layer: 5, label: 'again' }, [2])).toThrow(/not a live token/);
    expect(() => b.keep({ stage: 'llm', layer: 3, label: 'back' }, [0])).toThrow(/cannot follow/);
    expect(() => b.keep({ stage: 'vision', label: 'back' }, [0])).toThrow(/cannot follow/);
    expect(() => b.keep({ stage: 'llm', label: 'no layer' }, [0])).toThrow(/needs the layer/);
  });

  it('a failed step leaves no claims behind, and every finish returns a trace of its own', () => {
    const b = new TraceBuilder(grid, 'original');
    expect(() => b.keep({ stage: 'vision', label: 'dup' }, [3, 0, 0], [0, 1, 2, 3, 4, 5])).toThrow(/used twice/);
    b.keep({ stage: 'vision', label: 'ok' }, [3, 0], [0, 1, 2, 3, 4, 5]);
    const first = b.finish({ decoderLayers: 1, nonVisualTokens: 2 });
    expect(first.steps).toHaveLength(1);
    expect(first.steps[0]!.dropped).toEqual([{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 4, score: 4 }, { id: 5, score: 5 }]);
    first.steps[0]!.dropped.pop();
    first.steps[0]!.order.push(9);
    first.grid.rows = 7;
    const second = b.finish({ decoderLayers: 1, nonVisualTokens: 2 });
    expect(second.steps[0]!.dropped).toHaveLength(4);
    expect(second.steps[0]!.order).toEqual([3, 0]);
    expect(second.grid).toEqual(grid);
  });

  it('orders ViT steps by (frame, layer): the ViT encodes one frame after another', () => {
    const b = new TraceBuilder({ frames: 2, rows: 1, cols: 3 }, 'compact');
    b.apply({ stage: 'vit', layer: 0, frame: 0, label: 'f0' }, [{ merge: [0, 1], name: 'a' }, { keep: 2 }, { keep: 3 }, { keep: 4 }, { keep: 5 }]);
    b.apply({ stage: 'vit', layer: 0, frame: 1, label: 'f1' }, [{ keep: 0 }, { keep: 1 }, { merge: [2, 3, 4], name: 'b', at: 4 }]);
    expect(b.liveIds).toEqual([6, 2, 7]);
    expect(() => b.keep({ stage: 'vit', layer: 3, frame: 0, label: 'back to frame 0' }, [0])).toThrow(/cannot follow/);
    const trace = b.finish({ decoderLayers: 1, nonVisualTokens: 0 });
    expect(trace.steps.map((s) => s.frame)).toEqual([0, 1]);
    expect(originOf(trace.grid, 5)).toEqual({ index: 5, frame: 1, row: 0, col: 2 });
  });

  it('checks observed layer inputs against the trace', () => {
    const b = new TraceBuilder(grid, 'original');
    b.keep({ stage: 'llm', layer: 0, label: 'prune' }, [0, 1, 2]);
    b.observeLayerInput(0, { visual: 6, total: 8 });
    b.observeLayerInput(1, { visual: 6, total: 8 }); // wrong: only 3 visual tokens enter layer 1
    expect(() => b.finish({ decoderLayers: 2, nonVisualTokens: 2 })).toThrow(/layer 1 received 6 visual/);
  });
});

describe('equivalentTokens', () => {
  it('is 306 for FastV K=2 keeping 288 of 576 on 32 layers (METHODS.md §9)', () => {
    const b = new TraceBuilder({ frames: 1, rows: 24, cols: 24 }, 'original');
    b.keep({ stage: 'llm', layer: 1, label: 'FastV' }, Array.from({ length: 288 }, (_, i) => 2 * i));
    const trace = b.finish({ decoderLayers: 32, nonVisualTokens: 60 });
    expect(equivalentTokens(trace)).toBe((2 * 576 + 30 * 288) / 32);
    expect(equivalentTokens(trace)).toBe(306);
    // Counting the pruning layer by its post-pruning value (SparseVLM/MustDrop code) gives one more 288.
    expect(equivalentTokens(trace, 'after-pruning')).toBe((1 * 576 + 31 * 288) / 32);
  });

  it('counts vision-stage pruning on every layer', () => {
    const b = new TraceBuilder({ frames: 2, rows: 3, cols: 3 }, 'compact');
    b.keep({ stage: 'vision', label: 'DivPrune' }, [0, 5, 9, 17]);
    expect(equivalentTokens(b.finish({ decoderLayers: 5, nonVisualTokens: 3 }))).toBe(4);
  });
});
