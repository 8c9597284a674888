/**
 * Latency per phase with warm-up and repeats. The first runs of a session pay for lazy graph
 * building, allocator growth and cold caches, so they are discarded; the rest are summarised by
 * median and spread (min, max, p10, p90, standard deviation) rather than a single mean.
 */

/** Milliseconds spent in each named phase of one run. */
export type PhaseTimings = Record<string, number>;

/** Summary of repeated measurements of one quantity, in milliseconds. */
export interface LatencySummary {
  median: number;
  mean: number;
  min: number;
  max: number;
  p10: number;
  p90: number;
  stdev: number;
  samples: number;
}

/** Linear-interpolated quantile q ∈ [0, 1] of ascending `sorted` (numpy's default method). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Summarises samples (ms); throws on an empty list, since a latency with no samples is meaningless. */
export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) throw new Error('summarize: no latency samples (repeats must be ≥ 1).');
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const variance = sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / sorted.length;
  return { median: quantile(sorted, 0.5), mean, min: sorted[0]!, max: sorted[sorted.length - 1]!, p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), stdev: Math.sqrt(variance), samples: sorted.length };
}

/** Options for `measurePhases`. */
export interface MeasureOptions {
  /** Runs discarded before measuring (default 1). */
  warmup?: number;
  /** Measured runs (default 5). */
  repeats?: number;
}

/**
 * Runs `once` warmup + repeats times; each call returns its own phase timings. Returns a summary
 * per phase (phases missing from some runs are summarised over the runs that have them).
 */
export async function measurePhases(once: () => Promise<PhaseTimings>, opts: MeasureOptions = {}): Promise<Record<string, LatencySummary>> {
  const warmup = opts.warmup ?? 1;
  const repeats = opts.repeats ?? 5;
  if (repeats < 1) throw new Error(`measurePhases: repeats must be ≥ 1 (got ${repeats}).`);
  for (let i = 0; i < warmup; i++) await once();
  const byPhase = new Map<string, number[]>();
  for (let i = 0; i < repeats; i++) {
    const t = await once();
    for (const [phase, ms] of Object.entries(t)) byPhase.set(phase, [...(byPhase.get(phase) ?? []), ms]);
  }
  return Object.fromEntries([...byPhase].map(([phase, list]) => [phase, summarize(list)]));
}

/** A stopwatch for phases of one run: `lap('vision')` records the time since the previous lap. */
export class PhaseClock {
  private last = performance.now();
  readonly timings: PhaseTimings = {};

  /** Records ms since the previous lap (or construction) under `phase`, adding to earlier laps of it. */
  lap(phase: string): void {
    const now = performance.now();
    this.timings[phase] = (this.timings[phase] ?? 0) + (now - this.last);
    this.last = now;
  }
}
