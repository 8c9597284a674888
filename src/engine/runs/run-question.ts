/**
 * One question about one image (or the frames of a video) answered by a loaded model, once per
 * method, with everything `run:start` reports: answer, first-token top-5, correctness against a
 * known answer, FLOPs from the run's actual token counts plus the method's overhead, latency per
 * phase over warm-up + repeats, the method's PruningReport (trace, equivalent tokens), and
 * fidelity of each method to the unpruned baseline, which always comes first (results[0]): run,
 * or reused from an earlier run of the same question when the caller passes it (`baseline`).
 * Every pass — warm-ups and repeats included — binds its method afresh (method-pass.ts).
 */
import type { FlopsConvention } from '../../shared/flops';
import { runFlopsOf, type MethodResult, type MethodSpec, type RunFlops } from '../../shared/schemas/runs';
import { visionLayersNeeded } from '../models/checkpoint/config';
import { isCorrect } from '../metrics/accuracy';
import { fidelity } from '../metrics/fidelity';
import { summarize, type PhaseTimings } from '../metrics/latency';
import { throwIfCancelled } from '../models/model-cache';
import type { RuntimeHooks } from '../models/runtime/hooks';
import { flopsOfRun } from '../models/runtime/measured-run';
import { prefillModeFor } from '../models/runtime/prefill';
import { methodPass, planMethods, type MethodPass } from './method-pass';
import type { ImageSource } from '../models/runtime/preprocess';
import type { AnswerResult, VlmRuntime } from '../models/runtime/vlm';

/** Progress of a run: phase 'vision' | 'prefill' | 'decode'. */
export interface RunProgress {
  phase: 'vision' | 'prefill' | 'decode';
  done: number;
  total: number;
  message: string;
}

/** What to run. */
export interface RunQuestionOptions {
  images: readonly ImageSource[];
  question: string;
  expectedAnswer?: string;
  methods?: readonly MethodSpec[];
  maxNewTokens?: number;
  /** Measured runs per method (default 1). */
  repeats?: number;
  /** Discarded runs per method before measuring (default 0). */
  warmup?: number;
  convention?: FlopsConvention;
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /**
   * The unpruned pass of an earlier run with the same images, question, maxNewTokens and
   * convention on this runtime (`RunQuestionResult.baselinePass`): reused instead of answering
   * again, and marked `reused` in results[0] (its latency is the earlier run's). The caller owns
   * the sameness of the inputs.
   */
  baseline?: MethodPass;
}

/** The results (baseline first) and the visual token grid of the question. */
export interface RunQuestionResult {
  results: MethodResult[];
  grid: { rows: number; cols: number; frames: number; tokensPerFrame: number; visualTokens: number };
  /** The baseline's full answer (with logits), for callers that compare further. */
  baseline: AnswerResult;
  /** The baseline's pass, for a later run of the same question to reuse (`baseline` option). */
  baselinePass: MethodPass;
}

export { planMethods } from './method-pass';

/**
 * Hooks that report progress and stop the run when cancelled: per ViT layer in the vision phase
 * (vision runs one session per layer anyway), and in prefill at its start and where it stops
 * between session runs — after each run of fused decoder layers (prefill.ts), one event for the
 * layers it covered. With fused prefill they declare only the last decoder layer as theirs
 * (`afterDecoderLayers`), which ends a run of layers anyway, so they never split prefill into more
 * session runs than the method's own hooks need: the lab then measures the prefill the bench does.
 * Per-layer prefill (large models) runs one session per layer regardless, so there they declare
 * every layer and report each one, as a long prefill deserves.
 */
function progressHooks(rt: VlmRuntime, frames: number, label: string, signal: AbortSignal | undefined, report: (p: RunProgress) => void): RuntimeHooks {
  const cfg = rt.model.config;
  const what = 'The run';
  // First layer of the run of layers that ends at the next afterDecoderLayer call.
  let from = 0;
  return {
    afterVitLayer: (ctx) => {
      throwIfCancelled(signal, what);
      const perFrame = Math.max(visionLayersNeeded(cfg), ctx.layer + 1); // probes may run layers past the feature layer
      const total = frames * perFrame;
      report({ phase: 'vision', done: Math.min(total, ctx.frame * perFrame + ctx.layer + 1), total, message: `${label}: frame ${ctx.frame + 1}/${frames}, ViT layer ${ctx.layer + 1}` });
    },
    // Called before each layer's graph is chosen; at layer 0 it marks the start of prefill, whose
    // first event otherwise comes only after the first fused run of layers.
    decoderProbes: (layer) => {
      if (layer !== 0) return undefined;
      throwIfCancelled(signal, what);
      report({ phase: 'prefill', done: 0, total: cfg.text.numLayers, message: `${label}: prefill` });
      return undefined;
    },
    afterDecoderLayers: prefillModeFor(rt.graphs) === 'fused' ? [cfg.text.numLayers - 1] : Array.from({ length: cfg.text.numLayers }, (_, l) => l),
    afterDecoderLayer: (ctx) => {
      throwIfCancelled(signal, what);
      const layers = from === ctx.layer ? `decoder layer ${ctx.layer + 1}` : `decoder layers ${from + 1}–${ctx.layer + 1}`;
      from = ctx.layer + 1;
      report({ phase: 'prefill', done: ctx.layer + 1, total: ctx.numLayers, message: `${label}: ${layers}/${ctx.numLayers}` });
    },
    beforeDecode: () => {
      throwIfCancelled(signal, what);
      report({ phase: 'decode', done: 0, total: 1, message: `${label}: decoding` });
    },
  };
}

/** The contract's FLOPs summary of one run (`f`: its breakdown with any method overhead, default: none). */
export function runFlops(rt: VlmRuntime, r: AnswerResult, convention: FlopsConvention, f = flopsOfRun(rt, r, convention)): RunFlops {
  return runFlopsOf(f);
}

/** The first answer token's top-k candidates with their decoded text. */
export function topCandidates(rt: VlmRuntime, r: AnswerResult, k = 5): MethodResult['firstToken']['top'] {
  const { probs, logits } = r.firstToken;
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]!).slice(0, k);
  return order.map((id) => ({ id, text: rt.model.tokenizer.decode([id]), prob: Math.min(1, Math.max(0, probs[id]!)), logit: logits[id]! }));
}

function withTotal(t: PhaseTimings): PhaseTimings {
  return { ...t, total: Object.values(t).reduce((a, b) => a + b, 0) };
}

/**
 * Runs every planned method on the question: warmup + repeats answers each, the first measured
 * one reported. Throws ApiError 'invalid-input' / 'unsupported' for methods planMethods refuses
 * (before anything runs), 'cancelled' when `signal` fires (checked after
 * each ViT layer, before prefill, after each fused run of decoder layers, and before decoding); runtime
 * failures propagate as they are.
 */
export async function runQuestion(rt: VlmRuntime, opts: RunQuestionOptions): Promise<RunQuestionResult> {
  const plan = planMethods(opts.methods, rt.model.config, opts.images.length);
  const repeats = opts.repeats ?? 1;
  const warmup = opts.warmup ?? 0;
  const convention = opts.convention ?? 'paper';
  const report = opts.onProgress ?? (() => {});
  const results: MethodResult[] = [];
  let baseline: MethodPass | undefined;
  for (const method of plan) {
    const reuse = method.pruner === undefined ? opts.baseline : undefined;
    let reported: MethodPass | undefined = reuse;
    const timings: PhaseTimings[] = reuse ? [withTotal(reuse.result.timings)] : [];
    for (let i = 0; !reuse && i < warmup + repeats; i++) {
      const label = i < warmup ? `${method.id}: warm-up ${i + 1}/${warmup}` : `${method.id}: run ${i - warmup + 1}/${repeats}`;
      const hooks = progressHooks(rt, opts.images.length, label, opts.signal, report);
      const pass = await methodPass(rt, method, { images: opts.images, question: opts.question, hooks, maxNewTokens: opts.maxNewTokens, convention });
      throwIfCancelled(opts.signal, 'The run');
      report({ phase: 'decode', done: 1, total: 1, message: `${label}: ${pass.result.ids.length} token(s)` });
      if (i < warmup) continue;
      reported ??= pass;
      timings.push(withTotal(pass.result.timings));
    }
    const pass = reported!;
    const r = pass.result;
    baseline ??= pass;
    const phases = [...new Set(timings.flatMap((t) => Object.keys(t)))];
    const result: MethodResult = {
      method: method.id,
      params: pass.report?.params ?? method.params,
      ...(method.pruner ? { retention: method.retention } : {}),
      answer: r.answer,
      ids: r.ids,
      firstToken: { id: r.firstToken.id, text: rt.model.tokenizer.decode([r.firstToken.id]), prob: Math.min(1, Math.max(0, r.firstToken.probs[r.firstToken.id]!)), top: topCandidates(rt, r) },
      flops: runFlops(rt, r, convention, pass.flops),
      flopsRatio: pass.flops.total / baseline.flops.total,
      equivalentTokens: pass.equivalentTokens,
      latency: Object.fromEntries(phases.map((p) => [p, summarize(timings.map((t) => t[p]).filter((x): x is number => x !== undefined))])),
      tokenCounts: {
        vit: r.tokenCounts.vit[0] ?? [],
        projector: r.tokenCounts.projector,
        decoder: r.tokenCounts.decoder,
        decoderVisual: r.tokenCounts.decoderVisual,
        decodeSteps: r.tokenCounts.decodeSteps.length,
        text: r.layout.prefixLength + r.layout.suffixLength,
      },
      provider: r.provider,
      ...(pass.report ? { pruning: pass.report } : {}),
      ...(reuse ? { reused: true } : {}),
    };
    if (opts.expectedAnswer !== undefined) result.correct = isCorrect(r.answer, opts.expectedAnswer);
    if (pass !== baseline) result.fidelity = fidelity({ answer: baseline.result.answer, firstLogits: baseline.result.firstToken.logits }, { answer: r.answer, firstLogits: r.firstToken.logits });
    results.push(result);
  }
  const b = baseline!.result;
  const first = b.frames[0];
  const side = rt.model.config.vision.imageSize / rt.model.config.vision.patchSize;
  const grid = first?.grid ?? { rows: side, cols: side };
  return {
    results,
    grid: { rows: grid.rows, cols: grid.cols, frames: b.frames.length, tokensPerFrame: first?.count ?? 0, visualTokens: b.tokenCounts.projector },
    baseline: b,
    baselinePass: baseline!,
  };
}
