/**
 * Compression methods on benchmark samples: each sample is answered once unpruned, and that pass
 * is reused as the reference of every method run on the sample (fidelity, FLOPs ratio). One
 * `MethodOutcome` per (sample, method, retention) holds everything the results tables need:
 * correctness, first-token agreement and KL to the unpruned model, equivalent tokens, the FLOPs
 * ratio, achieved retention and the share of question-relevant tokens kept (images only: the
 * boxes of a video sample are per frame and not mapped here).
 */
import type { LoadedBenchmark } from '../bench/loader';
import { mediaPaths } from '../bench/loader';
import type { BenchSample, BoxedObject } from '../bench/types';
import { isCorrect } from '../metrics/accuracy';
import { fidelity } from '../metrics/fidelity';
import { relevantCells, relevantKept } from '../metrics/relevance';
import { throwIfCancelled } from '../models/model-cache';
import type { VlmRuntime } from '../models/runtime/vlm';
import { runGeometry } from '../pruners/bind';
import { methodPass, type PlannedMethod } from '../runs/method-pass';
import { pickSamples, summarizeOutcomes, type EvalOptions, type EvalSummary, type SampleOutcome } from './evaluate';

/** One method at one retention on one sample. */
export interface MethodOutcome extends SampleOutcome {
  method: string;
  retention: number;
  /** The unpruned model's answer to the same sample, and whether it was right. */
  unprunedAnswer: string;
  unprunedCorrect: boolean;
  sameAnswer: boolean;
  /** First answer token: same top-1 as the unpruned model. */
  top1Agree: boolean;
  /** KL(unpruned ‖ method) over the first answer token, nats. */
  kl: number;
  logProbChange: number;
  /** FLOPs of this pass (overhead included) over the unpruned pass's. */
  flopsRatio: number;
  equivalentTokens: number;
  achievedRetention: number;
  /** Layer-averaged share of the relevant tokens kept; absent for videos or boxes outside the crop. */
  relevantKept?: number;
  /** The method's note when it could not plan the requested retention. */
  note?: string;
}

/** The unpruned pass of a sample, as kept for comparisons. */
export interface UnprunedOutcome extends SampleOutcome {
  flops: number;
  visualTokens: number;
}

/**
 * Answers `sample` unpruned, then with every method of `methods` (planned with planMethods;
 * the baseline entry, if present, is skipped), calling `onOutcome` after each. Returns the
 * unpruned outcome and one MethodOutcome per method, in order.
 */
export async function compareOnSample(rt: VlmRuntime, bench: LoadedBenchmark, sample: BenchSample, methods: readonly PlannedMethod[], options: { maxNewTokens?: number; onOutcome?: (o: MethodOutcome) => void } = {}): Promise<{ unpruned: UnprunedOutcome; outcomes: MethodOutcome[] }> {
  const media = mediaPaths(bench, sample);
  const images = media.frames ?? [media.path];
  const ask = { images, question: sample.question, maxNewTokens: options.maxNewTokens ?? 8 };
  const common = { id: sample.id, type: sample.type, kind: sample.media.kind, question: sample.question, expected: sample.answer };
  const base = await methodPass(rt, { id: 'none', retention: 1, params: {}, seed: 0 }, ask);
  const ms = (t: Record<string, number>): Record<string, number> => ({ ...t, total: Object.values(t).reduce((a, b) => a + b, 0) });
  const unpruned: UnprunedOutcome = { ...common, answer: base.result.answer, correct: isCorrect(base.result.answer, sample.answer), ms: ms(base.result.timings), flops: base.flops.total, visualTokens: base.result.tokenCounts.projector };
  const grid = rt.model.config.vision.imageSize / rt.model.config.vision.patchSize;
  const relevant = sample.media.kind === 'image'
    ? relevantCells((sample.boxes as BoxedObject[]).map((b) => b.box), sample.media, rt.model.preprocessor, { rows: grid, cols: grid })
    : [];
  const outcomes: MethodOutcome[] = [];
  const geometry = runGeometry(rt.model.config, images.length);
  for (const planned of methods) {
    if (!planned.pruner) continue;
    const m = { ...planned, geometry };
    const pass = await methodPass(rt, m, ask);
    const report = pass.report!;
    const f = fidelity({ answer: base.result.answer, firstLogits: base.result.firstToken.logits }, { answer: pass.result.answer, firstLogits: pass.result.firstToken.logits });
    const kept = relevant.length && report.trace.grid.frames === 1 ? relevantKept(report.trace, relevant) : undefined;
    const o: MethodOutcome = {
      ...common,
      method: m.id,
      retention: m.retention,
      answer: pass.result.answer,
      correct: isCorrect(pass.result.answer, sample.answer),
      ms: ms(pass.result.timings),
      unprunedAnswer: unpruned.answer,
      unprunedCorrect: unpruned.correct,
      sameAnswer: f.sameAnswer,
      top1Agree: f.top1Agree,
      kl: f.klFirstToken,
      logProbChange: f.logProbChange,
      flopsRatio: pass.flops.total / base.flops.total,
      equivalentTokens: pass.equivalentTokens,
      achievedRetention: report.achievedRetention,
      ...(kept === undefined ? {} : { relevantKept: kept }),
      ...(report.note === undefined ? {} : { note: report.note }),
    };
    outcomes.push(o);
    options.onOutcome?.(o);
  }
  return { unpruned, outcomes };
}

/** Means of a method's outcomes: the fields `tokenlab eval --method` adds to the eval summary. */
export interface MethodSummary {
  /** Share of samples whose first answer token matches the unpruned model's. */
  agreement: number;
  sameAnswer: number;
  kl: number;
  flopsRatio: number;
  equivalentTokens: number;
  achievedRetention: number;
  /** Mean over samples with relevant tokens; null when none had any. */
  relevantKept: number | null;
  /** Accuracy of the unpruned model on the same samples. */
  unprunedAccuracy: number;
}

/** Means of `outcomes` (throws on an empty list: nothing was evaluated). */
export function summarizeMethod(outcomes: readonly MethodOutcome[]): MethodSummary {
  if (outcomes.length === 0) throw new Error('summarizeMethod: no outcomes');
  const mean = (f: (o: MethodOutcome) => number): number => outcomes.reduce((a, o) => a + f(o), 0) / outcomes.length;
  const withRelevant = outcomes.filter((o) => o.relevantKept !== undefined);
  return {
    agreement: mean((o) => Number(o.top1Agree)),
    sameAnswer: mean((o) => Number(o.sameAnswer)),
    kl: mean((o) => o.kl),
    flopsRatio: mean((o) => o.flopsRatio),
    equivalentTokens: mean((o) => o.equivalentTokens),
    achievedRetention: mean((o) => o.achievedRetention),
    relevantKept: withRelevant.length ? withRelevant.reduce((a, o) => a + o.relevantKept!, 0) / withRelevant.length : null,
    unprunedAccuracy: mean((o) => Number(o.unprunedCorrect)),
  };
}

/** An evaluation of one method: the usual eval summary of its answers plus the method means. */
export interface MethodEvalReport extends EvalSummary, MethodSummary {
  /** The method, its retention and the parameters given (the rest are defaults or derived). */
  method: { id: string; retention: number; params: Record<string, unknown> };
  samples: MethodOutcome[];
  benchmarkSize: number;
}

/**
 * Evaluates the one non-baseline method of `plan` (planMethods output) on the picked samples of
 * `bench` (pickSamples, stratified by kind and type) of the media kinds the method supports, each
 * sample's unpruned pass computed once and reused. Builds the graphs first; checks `signal` between samples.
 */
export async function evaluateMethod(rt: VlmRuntime, bench: LoadedBenchmark, plan: readonly PlannedMethod[], options: EvalOptions & { onOutcome?: (done: number, total: number, o: MethodOutcome) => void } = {}): Promise<MethodEvalReport> {
  const methods = plan.filter((m) => m.pruner);
  if (methods.length !== 1) throw new Error(`evaluateMethod: expected one method besides the baseline, got ${methods.length}`);
  const m = methods[0]!;
  // A method evaluates on the media kinds it supports (an image-only method skips videos).
  const supported = bench.samples.filter((s) => m.pruner!.modalities.includes(s.media.kind));
  if (supported.length === 0) throw new Error(`method '${m.id}' supports ${m.pruner!.modalities.join(', ')} only, and the benchmark has none`);
  const picked = pickSamples(supported, options.limit, (s) => `${s.media.kind}/${s.type}`);
  await rt.warm();
  const outcomes: MethodOutcome[] = [];
  for (const sample of picked) {
    throwIfCancelled(options.signal, 'The evaluation');
    const { outcomes: got } = await compareOnSample(rt, bench, sample, methods, options.maxNewTokens === undefined ? {} : { maxNewTokens: options.maxNewTokens });
    outcomes.push(...got);
    options.onOutcome?.(outcomes.length, picked.length, got[0]!);
  }
  return { ...summarizeOutcomes(outcomes, bench.samples), ...summarizeMethod(outcomes), method: { id: m.id, retention: m.retention, params: m.params }, samples: outcomes, benchmarkSize: bench.samples.length };
}
