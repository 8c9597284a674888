/**
 * Evaluation of a model on a benchmark folder: every sample answered (a video's frames fed in
 * time order, as the runtime encodes videos), scored by normalised exact match, and summarised
 * overall, per question type next to that type's majority-class rate, and per media kind, with
 * the mean latency per phase. `tokenlab eval` prints it; sweeps and reports reuse `evaluate`.
 */
import type { LoadedBenchmark } from '../bench/loader';
import { mediaPaths } from '../bench/loader';
import type { BenchSample } from '../bench/types';
import { accuracyCell, isCorrect, majorityRate, type AccuracyCell } from '../metrics/accuracy';
import type { PhaseTimings } from '../metrics/latency';
import { throwIfCancelled } from '../models/model-cache';
import type { VlmRuntime } from '../models/runtime/vlm';

/** How one sample went. */
export interface SampleOutcome {
  id: string;
  type: string;
  kind: 'image' | 'video';
  question: string;
  expected: string;
  answer: string;
  correct: boolean;
  /** Milliseconds per phase of this sample's run, plus 'total'. */
  ms: PhaseTimings;
}

/** One question type: accuracy next to what always answering its most common answer would score. */
export interface TypeCell extends AccuracyCell {
  /** Majority-class rate of this type over the whole benchmark (not just the evaluated samples). */
  majority: number;
  majorityAnswer: string;
}

/** The summary of an evaluation. */
export interface EvalSummary extends AccuracyCell {
  byType: Record<string, TypeCell>;
  byKind: Partial<Record<'image' | 'video', AccuracyCell>>;
  /** Mean milliseconds per sample, per phase and 'total'. */
  meanLatencyMs: Record<string, number>;
}

/** Options of `evaluate`. */
export interface EvalOptions {
  /** Evaluate this many samples, shared among question types in proportion (see `pickSamples`). */
  limit?: number;
  /** Longest answer in tokens (default 8: the benchmark's answers are one word). */
  maxNewTokens?: number;
  signal?: AbortSignal;
  onSample?: (done: number, total: number, outcome: SampleOutcome) => void;
}

/** An evaluation's summary plus every sample's outcome. */
export interface EvalReport extends EvalSummary {
  samples: SampleOutcome[];
  /** Samples in the benchmark (n is how many were evaluated). */
  benchmarkSize: number;
}

/**
 * `limit` samples spread over `samples`, all of them when `limit` is absent or ≥ N. With `key`
 * (e.g. the question type) the limit is shared among the groups in proportion to their size
 * (largest remainder), and each group's share is spread evenly over it; the result keeps the
 * original order. Stratified because benchmark files are structured — the Shapes files list
 * images before videos and cycle through question types — and a plain stride can alias with
 * that structure (every 35th sample of shapes:test is a colour question).
 */
export function pickSamples<T>(samples: readonly T[], limit?: number, key: (s: T) => string = () => ''): T[] {
  if (limit === undefined || limit >= samples.length) return [...samples];
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a whole number ≥ 1, got ${limit}`);
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => groups.set(key(s), [...(groups.get(key(s)) ?? []), i]));
  const entries = [...groups.values()].map((idx) => ({ idx, exact: (limit * idx.length) / samples.length, take: 0 }));
  for (const e of entries) e.take = Math.floor(e.exact);
  let left = limit - entries.reduce((a, e) => a + e.take, 0);
  // Largest remainder first; ties go to the group that appears first (stable sort).
  for (const e of [...entries].sort((x, y) => (y.exact - y.take) - (x.exact - x.take))) {
    if (left <= 0) break;
    e.take++;
    left--;
  }
  const picked = entries.flatMap((e) => Array.from({ length: e.take }, (_, i) => e.idx[Math.floor((i * e.idx.length) / e.take)]!));
  return picked.sort((a, b) => a - b).map((i) => samples[i]!);
}

/**
 * Summarises outcomes: accuracy overall, per type (with the majority-class rate of that type's
 * answers in `allSamples`, the whole benchmark) and per kind, and mean latency per phase.
 * Per-type n always sums to n.
 */
export function summarizeOutcomes(outcomes: readonly SampleOutcome[], allSamples: readonly Pick<BenchSample, 'type' | 'answer'>[]): EvalSummary {
  const answersByType = new Map<string, string[]>();
  for (const s of allSamples) answersByType.set(s.type, [...(answersByType.get(s.type) ?? []), s.answer]);
  const group = <K extends string>(key: (o: SampleOutcome) => K): Map<K, SampleOutcome[]> => {
    const m = new Map<K, SampleOutcome[]>();
    for (const o of outcomes) m.set(key(o), [...(m.get(key(o)) ?? []), o]);
    return m;
  };
  const cell = (list: readonly SampleOutcome[]): AccuracyCell => accuracyCell(list.filter((o) => o.correct).length, list.length);
  const byType: Record<string, TypeCell> = {};
  for (const [type, list] of [...group((o) => o.type)].sort(([a], [b]) => a.localeCompare(b))) {
    // A type absent from allSamples (should not happen) falls back to the evaluated answers.
    const majority = majorityRate(answersByType.get(type) ?? list.map((o) => o.expected));
    byType[type] = { ...cell(list), majority: majority.rate, majorityAnswer: majority.answer };
  }
  const byKind: EvalSummary['byKind'] = {};
  for (const [kind, list] of group((o) => o.kind)) byKind[kind] = cell(list);
  const phases = [...new Set(outcomes.flatMap((o) => Object.keys(o.ms)))];
  const meanLatencyMs = Object.fromEntries(phases.map((p) => [p, outcomes.reduce((a, o) => a + (o.ms[p] ?? 0), 0) / Math.max(1, outcomes.length)]));
  return { ...cell(outcomes), byType, byKind, meanLatencyMs };
}

/**
 * Answers every picked sample with `rt` (unpruned, greedy) and summarises. Builds the graphs
 * first, so no sample pays the cold start. Throws ApiError('cancelled') between samples when
 * `signal` fires; a sample whose media cannot be read or run throws (a broken benchmark is not
 * a wrong answer).
 */
export async function evaluate(rt: VlmRuntime, bench: LoadedBenchmark, options: EvalOptions = {}): Promise<EvalReport> {
  const picked = pickSamples(bench.samples, options.limit, (s) => `${s.media.kind}/${s.type}`);
  await rt.warm();
  const outcomes: SampleOutcome[] = [];
  for (const sample of picked) {
    throwIfCancelled(options.signal, 'The evaluation');
    const media = mediaPaths(bench, sample);
    const images = media.frames ?? [media.path];
    const r = await rt.answer({ images, question: sample.question, maxNewTokens: options.maxNewTokens ?? 8 });
    const total = Object.values(r.timings).reduce((a, b) => a + b, 0);
    const outcome: SampleOutcome = {
      id: sample.id,
      type: sample.type,
      kind: sample.media.kind,
      question: sample.question,
      expected: sample.answer,
      answer: r.answer,
      correct: isCorrect(r.answer, sample.answer),
      ms: { ...r.timings, total },
    };
    outcomes.push(outcome);
    options.onSample?.(outcomes.length, picked.length, outcome);
  }
  return { ...summarizeOutcomes(outcomes, bench.samples), samples: outcomes, benchmarkSize: bench.samples.length };
}
