/**
 * Uniform spatial pooling baseline: average-pool each frame's token grid, before the projector
 * (where the runtime pools video frames too), to the grid closest to round(retention·tokens per
 * frame). Grid choice and bins: algorithms/pool.ts. Compact positions.
 */
import { z } from 'zod';
import { poolBins, poolGrid } from './algorithms/pool';
import { definePruner, type TokenEdit } from './define';
import type { SequenceEntry } from '../../shared/trace-builder';

export const pool = definePruner({
  id: 'pool',
  label: 'Uniform pooling',
  paper: { title: 'Baseline: uniform average pooling of the token grid', arxiv: '', url: '' },
  stages: ['vision'],
  modalities: ['image', 'video'],
  params: z.object({
    rows: z.number().int().positive().optional().describe('Pooled grid rows per frame. Default: from retention, keeping the aspect ratio.'),
    cols: z.number().int().positive().optional().describe('Pooled grid columns per frame. Default: from retention, keeping the aspect ratio.'),
  }),
  positions: 'compact',
  retention: 'kept',
  guidance: 'none',
  resolveParams: (retention, user, g) => {
    const auto = poolGrid(g.grid.rows, g.grid.cols, retention * g.grid.rows * g.grid.cols);
    const rows = Math.min(g.grid.rows, user.rows ?? auto.rows);
    const cols = Math.min(g.grid.cols, user.cols ?? auto.cols);
    const planned = (rows * cols) / (g.grid.rows * g.grid.cols);
    return { params: { rows, cols }, plannedRetention: planned, ...(Math.abs(planned - retention) > 1e-9 ? { note: `a ${rows}×${cols} grid is the closest to the requested budget` } : {}) };
  },
  needs: () => ({}),
  createState: () => ({}),
  hooks: {
    beforeProjector(input, { params }) {
      const sequence: SequenceEntry[] = [];
      for (const frame of input.frames) {
        if (!frame.grid) throw new Error(`pool: frame ${frame.frame} no longer forms a grid`);
        if (params.rows === frame.grid.rows && params.cols === frame.grid.cols) {
          for (let i = 0; i < frame.count; i++) sequence.push({ keep: frame.start + i });
          continue;
        }
        // Plain loops (no callbacks): this runs once per answer, in the interpreter.
        const bins = poolBins(frame.grid.rows, frame.grid.cols, { rows: params.rows!, cols: params.cols! });
        for (let i = 0; i < bins.length; i++) {
          const bin = bins[i]!;
          const merge: number[] = [];
          for (let m = 0; m < bin.length; m++) merge.push(frame.start + bin[m]!);
          sequence.push({ merge, name: `pool f${frame.frame} ${Math.floor(i / params.cols!)},${i % params.cols!}` });
        }
      }
      const edit: TokenEdit = { label: `average pooling to ${params.rows}×${params.cols}`, sequence };
      return sequence.every((e, i) => 'keep' in e && e.keep === i) ? undefined : edit;
    },
  },
});
