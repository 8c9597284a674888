/** Overlay geometry and the per-cell model, on traces from the real TraceBuilder. */
import { describe, expect, it } from 'vitest';
import { cellAt, cellRect, fitContain, modelRegion, tokenIndex } from '../../../src/renderer/lib/overlayGeometry';
import { describeFate, overlayModel } from '../../../src/renderer/lib/overlayModel';
import { keptAt } from '../../../src/shared/trace';
import { mixedTrace, videoTrace } from './traces';

describe('overlay geometry', () => {
  it('lays the grid on the centred square the CLIP crop keeps', () => {
    expect(modelRegion(640, 480)).toEqual({ x: 80, y: 0, w: 480, h: 480 });
    expect(modelRegion(300, 500)).toEqual({ x: 0, y: 100, w: 300, h: 300 });
    const region = modelRegion(640, 480);
    const grid = { rows: 4, cols: 6 };
    expect(cellRect(region, grid, 0, 0)).toEqual({ x: 80, y: 0, w: 80, h: 120 });
    expect(cellRect(region, grid, 3, 5)).toEqual({ x: 480, y: 360, w: 80, h: 120 });
  });

  it('hit-tests points to cells and misses outside the model region', () => {
    const region = modelRegion(640, 480);
    const grid = { rows: 4, cols: 6 };
    expect(cellAt(region, grid, 81, 1)).toEqual({ row: 0, col: 0 });
    expect(cellAt(region, grid, 559.9, 479.9)).toEqual({ row: 3, col: 5 });
    expect(cellAt(region, grid, 79, 100)).toBeNull();
    expect(cellAt(region, grid, 560, 100)).toBeNull();
    // Every cell's centre maps back to that cell.
    for (let row = 0; row < 4; row++) for (let col = 0; col < 6; col++) {
      const r = cellRect(region, grid, row, col);
      expect(cellAt(region, grid, r.x + r.w / 2, r.y + r.h / 2)).toEqual({ row, col });
    }
    expect(tokenIndex({ rows: 3, cols: 3 }, 1, 2, 1)).toBe(16);
  });

  it('fits a picture into a box without distortion', () => {
    expect(fitContain({ width: 200, height: 100 }, { width: 400, height: 400 })).toEqual({ scale: 2, x: 0, y: 100 });
  });
});

describe('overlay model', () => {
  it('before any step every token is kept', () => {
    const m = overlayModel(mixedTrace(), -1);
    expect(m.kept).toBe(24);
    expect(m.keptInFrame).toBe(24);
    expect(m.groups).toEqual([]);
    expect(m.scoreRange).toBeNull();
  });

  it('after the vision step: one merge group with its target, dropped tokens with their scores', () => {
    const trace = mixedTrace();
    const m = overlayModel(trace, 0);
    expect(m.kept).toBe(keptAt(trace, 0).length);
    expect(m.kept).toBe(17);
    expect(m.groups).toEqual([{ id: 24, name: 'window 0', cells: [{ row: 0, col: 0 }, { row: 0, col: 1 }, { row: 1, col: 0 }, { row: 1, col: 1 }] }]);
    expect(m.cells.filter((c) => c.target).map((c) => c.index)).toEqual([7]);
    const dropped = m.cells.filter((c) => c.fate.kind === 'dropped');
    expect(dropped.map((c) => [c.index, c.score])).toEqual([[2, 0.2], [3, 0.3], [4, 0.4], [5, 0.5]]);
    expect(m.scoreRange).toEqual([0.2, 0.5]);
    expect(m.dropStages).toEqual(['vision']);
    expect(m.keptInFrame).toBe(16);
  });

  it('after the llm step the kept count is the trace count, and the stage that dropped is recorded', () => {
    const trace = mixedTrace();
    const m = overlayModel(trace, 1);
    expect(m.kept).toBe(9);
    expect(m.kept).toBe(keptAt(trace, 1).length);
    // The group counts as one kept token but is drawn as merged cells.
    expect(m.keptInFrame).toBe(8);
    expect(new Set(m.dropStages)).toEqual(new Set(['vision', 'llm']));
    const llmDrop = m.cells.find((c) => c.fate.kind === 'dropped' && c.fate.stage === 'llm')!;
    expect(describeFate(llmDrop.fate)).toBe('dropped after decoder layer 1');
    expect(describeFate(m.cells.find((c) => c.fate.kind === 'merged')!.fate)).toBe('merged into window 0 (token 24)');
  });

  it('draws one frame of a video at a time, counting the whole input', () => {
    const trace = videoTrace();
    const f0 = overlayModel(trace, 0, 0);
    const f1 = overlayModel(trace, 0, 1);
    expect(f0.kept).toBe(5);
    expect(f0.keptInFrame + f1.keptInFrame).toBe(5);
    expect(f0.cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(f1.cells[0]!.index).toBe(9);
    expect(() => overlayModel(trace, 0, 2)).toThrow(RangeError);
  });
});

describe('hover card text', () => {
  it('names the token under the pointer with its position, score and fate', async () => {
    const { tokenCardText } = await import('../../../src/renderer/components/viewer/TokenCard');
    const m = overlayModel(mixedTrace(), 1);
    const picture = { width: 60, height: 40 }; // region x 10..50, cells 6.67 × 10
    expect(tokenCardText(m, picture, { x: 10 + (40 / 6) * 2.5, y: 5 })).toBe('Token 2 (row 0, col 2) · score 0.2000 · dropped before the LLM');
    expect(tokenCardText(m, picture, { x: 11, y: 11 })).toBe('Token 6 (row 1, col 0) · merged into window 0 (token 24)');
    expect(tokenCardText(m, picture, { x: 5, y: 5 })).toBe('Outside the square the model sees (centre crop).');
    expect(tokenCardText(m, picture, null)).toContain('Hover a token');
  });
});
