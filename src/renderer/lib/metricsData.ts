/**
 * Chart rows for the metrics panel, computed from run results (pure): FLOPs per phase against the
 * unpruned baseline, tokens entering each decoder layer, latency per phase. Phases of FLOPs follow
 * the split: vision (ViT + projector), prefill, decode (decoding steps + LM head), and the
 * method's own overhead.
 */
import type { MethodResult } from '../../shared/schemas/runs';

/** One bar of the FLOPs chart. */
export interface FlopsRow {
  method: string;
  vision: number;
  prefill: number;
  decode: number;
  overhead: number;
  total: number;
  /** total / the baseline's total (1 for the baseline), as the engine reports it. */
  relative: number;
}

/** The FLOPs phases in stacking order, with their labels. */
export const FLOPS_PHASES = [
  { key: 'vision', label: 'Vision (ViT + projector)' },
  { key: 'prefill', label: 'Prefill' },
  { key: 'decode', label: 'Decode (+ LM head)' },
  { key: 'overhead', label: 'Method overhead' },
] as const;

/** FLOPs per phase of each result (the first is the unpruned baseline). */
export function flopsRows(results: readonly MethodResult[]): FlopsRow[] {
  return results.map((r) => {
    const f = r.flops;
    return {
      method: r.method,
      vision: f.vision.total + f.projector.total,
      prefill: f.prefill.total,
      decode: f.decode.total + f.lmHead.total,
      overhead: f.extra.total,
      total: f.total,
      relative: r.flopsRatio,
    };
  });
}

/** Rows of the tokens-per-layer chart: one per decoder layer, a column per method (visual tokens entering it). */
export function tokenRows(results: readonly MethodResult[]): Array<Record<string, number>> {
  const layers = Math.max(0, ...results.map((r) => r.tokenCounts.decoderVisual.length));
  return Array.from({ length: layers }, (_, layer) => {
    const row: Record<string, number> = { layer };
    for (const r of results) {
      const v = r.tokenCounts.decoderVisual[layer];
      if (v !== undefined) row[r.method] = v;
    }
    return row;
  });
}

/** Latency phases shown, in pipeline order ('total' is shown as text, not stacked). */
export const LATENCY_PHASES = ['preprocess', 'vision', 'prefill', 'decode'] as const;

/** Rows of the latency chart: median milliseconds per phase, one row per method. */
export function latencyRows(results: readonly MethodResult[]): Array<Record<string, number | string>> {
  return results.map((r) => {
    const row: Record<string, number | string> = { method: r.method };
    for (const phase of LATENCY_PHASES) {
      const stats = r.latency[phase];
      if (stats) row[phase] = Number(stats.median.toFixed(2));
    }
    return row;
  });
}

/** A short axis label for a FLOPs value: "3.8T", "512G", "20M" (three significant digits at most). */
export function shortFlops(flops: number): string {
  const units: Array<[number, string]> = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, unit] of units) if (Math.abs(flops) >= scale) return `${Number((flops / scale).toPrecision(3))}${unit}`;
  return String(flops);
}
