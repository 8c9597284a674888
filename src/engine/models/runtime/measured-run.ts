/**
 * One question answered with the numbers a report needs: the answer, FLOPs from the run's actual
 * token counts (src/shared/flops.ts), and per-phase latency over warm-up + repeated runs. Used by
 * `tokenlab run` and meant for the contract's `run:start` handler.
 */
import { computeFlops, visionLayerFlops, type ExtraCost, type FlopsBreakdown, type FlopsConvention } from '../../../shared/flops';
import { measurePhases, type LatencySummary } from '../../metrics/latency';
import { flopsDimsFromConfig } from '../checkpoint/flops-dims';
import type { AnswerRequest, AnswerResult, VlmRuntime } from './vlm';

/** Repetition and accounting settings; defaults: 1 warm-up, 3 repeats, paper convention. */
export interface MeasuredRunOptions {
  warmup?: number;
  repeats?: number;
  convention?: FlopsConvention;
}

/** The answer of the first run plus FLOPs and latency. */
export interface MeasuredRun {
  result: AnswerResult;
  flops: FlopsBreakdown;
  /** Per phase (preprocess, vision, prefill, decode, total), ms, over the measured repeats. */
  latency: Record<string, LatencySummary>;
  /** Seconds spent building graphs and sessions (the cold start, not in `latency`). */
  buildSeconds: number;
  warmup: number;
  repeats: number;
}

/** FLOPs of one answered run from its recorded token counts; `methodExtra`: a compression method's own overhead. */
export function flopsOfRun(rt: VlmRuntime, r: AnswerResult, convention: FlopsConvention = 'paper', methodExtra: readonly ExtraCost[] = []): FlopsBreakdown {
  const dims = flopsDimsFromConfig(rt.model.config, rt.model.name);
  const vit = r.tokenCounts.vit[0] ?? [];
  // The FLOPs model counts the layers LLaVA needs; extra ViT layers run for probes are method overhead.
  // With several frames the first frame's per-layer counts stand for all (frames are encoded alike).
  const needed = dims.vision.layersRun;
  const extraVit = vit.slice(needed);
  const images = r.tokenCounts.vit.length;
  const extra = extraVit.length
    ? [{ label: `${extraVit.length} ViT layer(s) beyond the feature layer, run for probes`, flops: images * extraVit.reduce((a, n) => a + visionLayerFlops(dims.vision, n), 0) }, ...methodExtra]
    : [...methodExtra];
  return computeFlops({
    dims,
    convention,
    prefillTokensPerLayer: r.tokenCounts.decoder,
    projectorTokens: r.tokenCounts.projector,
    images,
    visionTokensPerLayer: vit.slice(0, needed),
    decodeSteps: r.tokenCounts.decodeSteps.length,
    extra,
  });
}

/**
 * Answers `req` once cold (building graphs), then `warmup` + `repeats` more times for latency.
 * The answer reported is the first run's; every run is deterministic, so they agree.
 */
export async function measuredAnswer(rt: VlmRuntime, req: AnswerRequest, opts: MeasuredRunOptions = {}): Promise<MeasuredRun> {
  const warmup = opts.warmup ?? 1;
  const repeats = opts.repeats ?? 3;
  const buildBefore = rt.graphs.buildSeconds;
  const result = await rt.answer(req);
  const buildSeconds = rt.graphs.buildSeconds - buildBefore;
  const latency = await measurePhases(async () => {
    const t = (await rt.answer(req)).timings;
    return { ...t, total: Object.values(t).reduce((a, b) => a + b, 0) };
  }, { warmup, repeats });
  return { result, flops: flopsOfRun(rt, result, opts.convention), latency, buildSeconds, warmup, repeats };
}
