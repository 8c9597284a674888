/**
 * Relevant tokens from boxes (through resize + centre crop onto the grid) and the layer-averaged
 * share kept, on hand-computed cases: a 400×200 image resized to 200×100 and cropped to its
 * middle 100×100 (left offset 50), a 4×4 grid of 25 px cells.
 */
import { describe, expect, it } from 'vitest';
import type { PreprocessorConfig } from '../../../src/engine/models/checkpoint/types';
import { cropFrame, relevantCells, relevantKept, type PixelBox } from '../../../src/engine/metrics/relevance';
import { TraceBuilder } from '../../../src/shared/trace-builder';

const pre: PreprocessorConfig = {
  shortestEdge: 100, cropHeight: 100, cropWidth: 100, doResize: true, doCenterCrop: true, doNormalize: true,
  rescaleFactor: 1 / 255, imageMean: [0, 0, 0], imageStd: [1, 1, 1],
};
const media = { width: 400, height: 200 };
const grid = { rows: 4, cols: 4 };

describe('relevantCells', () => {
  it('maps boxes through the resize and the crop', () => {
    expect(cropFrame(media, pre)).toEqual({ sx: 0.5, sy: 0.5, left: 50, top: 0, width: 100, height: 100 });
    const cell = (b: PixelBox): number[] => relevantCells([b], media, pre, grid);
    expect(cell([100, 0, 150, 50])).toEqual([0]); // exactly cell (0, 0)
    expect(cell([0, 100, 140, 200])).toEqual([8, 12]); // left part cropped off; 20 of 25 px of column 0 remain
    expect(cell([300, 100, 304, 104])).toEqual([]); // entirely right of the crop
    expect(cell([240, 20, 246, 26])).toEqual([2]); // too small for a quarter cell: the cell it lies in
    expect(cell([196, 96, 206, 106])).toEqual([10]); // straddles four cells: the one it overlaps most
    expect(cell([150, 0, 176, 200])).toEqual([1, 5, 9, 13]); // crop x 25–38: half of column 1, in every row
    expect(relevantCells([[100, 0, 150, 50], [240, 20, 246, 26], [0, 100, 140, 200]], media, pre, grid)).toEqual([0, 2, 8, 12]);
  });

  it('without a crop the whole resized image is the grid', () => {
    const frame = cropFrame({ width: 200, height: 200 }, { ...pre, doCenterCrop: false });
    expect(frame).toEqual({ sx: 0.5, sy: 0.5, left: 0, top: 0, width: 100, height: 100 });
    expect(relevantCells([[150, 150, 200, 200]], { width: 200, height: 200 }, { ...pre, doCenterCrop: false }, grid)).toEqual([15]);
  });
});

describe('relevantKept', () => {
  it('averages over decoder layers, and a merged token counts 1/m for each member', () => {
    const b = new TraceBuilder({ frames: 1, rows: 4, cols: 4 }, 'compact');
    // Before the LLM: keep 0 and 1, merge 2 and 3 into one token, drop the rest.
    b.apply({ stage: 'vision', label: 'keep + merge' }, [{ keep: 0 }, { keep: 1 }, { merge: [2, 3], name: 'pair' }]);
    // After decoder layer 1: keep only the merged token (position 2).
    b.keep({ stage: 'llm', layer: 1, label: 'top-1' }, [2]);
    const trace = b.finish({ decoderLayers: 4, nonVisualTokens: 5 });
    // Relevant: 0, 2, 3, 15. Layers 0–1: 1 + ½ + ½ + 0 = 2 of 4; layers 2–3: ½ + ½ = 1 of 4.
    expect(relevantKept(trace, [0, 2, 3, 15])).toBeCloseTo((0.5 + 0.5 + 0.25 + 0.25) / 4, 12);
    expect(relevantKept(trace, [15])).toBe(0);
    expect(relevantKept(trace, [0])).toBeCloseTo(0.5, 12);
    expect(relevantKept(trace, [])).toBeNaN();
    expect(() => relevantKept(trace, [16])).toThrow(/outside/);
  });

  it('is 1 for an unpruned trace', () => {
    const trace = new TraceBuilder({ frames: 1, rows: 4, cols: 4 }, 'original').finish({ decoderLayers: 3, nonVisualTokens: 5 });
    expect(relevantKept(trace, [1, 7, 9])).toBe(1);
  });
});
