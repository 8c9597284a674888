/**
 * Uniform spatial pooling baseline: average-pool each frame's rows×cols grid to an h×w grid with
 * h·w as close as possible to the retained budget round(retention·rows·cols), before the LLM.
 *
 * Non-square budgets: among all h ≤ rows, w ≤ cols we take the pair with the smallest |h·w − B|,
 * then the aspect ratio closest to the input's, then the smaller h (a wider grid). 288 of 24×24
 * becomes 16×18; 144 becomes 12×12; a prime budget may land one or two tokens off, and the
 * achieved retention is what the trace records.
 * Bins partition the grid (bin i covers rows ⌊i·rows/h⌋ … ⌊(i+1)·rows/h⌋−1), unlike PyTorch's
 * overlapping adaptive_avg_pool bins, so every token belongs to exactly one pooled token — the
 * token trace can then say which one.
 */
import { meanOfRows, type Matrix } from './matrix';

/** The output grid for a budget of `budget` tokens on a rows×cols grid (see header). */
export function poolGrid(rows: number, cols: number, budget: number): { rows: number; cols: number } {
  const target = Math.max(1, Math.min(rows * cols, Math.round(budget)));
  let best = { rows: 1, cols: 1 };
  let bestKey = [Infinity, Infinity];
  const aspect = Math.log(rows / cols);
  for (let h = 1; h <= rows; h++) {
    for (const w of [Math.floor(target / h), Math.ceil(target / h)]) {
      if (w < 1 || w > cols) continue;
      const key = [Math.abs(h * w - target), Math.abs(Math.log(h / w) - aspect)];
      if (key[0]! < bestKey[0]! || (key[0] === bestKey[0] && key[1]! < bestKey[1]! - 1e-12)) {
        best = { rows: h, cols: w };
        bestKey = key;
      }
    }
  }
  return best;
}

/** Members (raster indices into the input grid) of each output cell, output in raster order. */
export function poolBins(rows: number, cols: number, out: { rows: number; cols: number }): number[][] {
  const bins: number[][] = [];
  for (let i = 0; i < out.rows; i++) {
    for (let j = 0; j < out.cols; j++) {
      const members: number[] = [];
      for (let r = Math.floor((i * rows) / out.rows); r < Math.floor(((i + 1) * rows) / out.rows); r++) {
        for (let c = Math.floor((j * cols) / out.cols); c < Math.floor(((j + 1) * cols) / out.cols); c++) members.push(r * cols + c);
      }
      bins.push(members);
    }
  }
  return bins;
}

/** Average-pools one frame's [rows·cols × d] features into the given bins. */
export function poolFeatures(frame: Matrix, bins: readonly number[][]): Matrix {
  const out = new Float32Array(bins.length * frame.cols);
  bins.forEach((members, i) => out.set(meanOfRows(frame, members), i * frame.cols));
  return { data: out, rows: bins.length, cols: frame.cols };
}
