/**
 * Compression methods in a run: validating the requested methods up front (`planMethods`), and
 * answering once with a method bound afresh for that pass (`methodPass`) — the pruner's hooks
 * first, then the caller's (progress, cancellation) through combineHooks, so those see its edits.
 * A pass returns the answer, the method's PruningReport (trace included; the binder checks it
 * against the tokens each decoder layer received) and FLOPs from the run's actual per-layer
 * counts plus the method's own overhead (pruners/overhead.ts).
 *
 * The vision encoding is not shared between passes: methods may act in the ViT or read ViT probes,
 * and each pass's vision latency is part of what it reports.
 *
 * Example:
 *   const plan = planMethods([{ id: 'fastv', retention: 0.25 }], rt.model.config, 1);  // [none, fastv]
 *   const base = await methodPass(rt, plan[0]!, { images, question });
 *   const fast = await methodPass(rt, plan[1]!, { images, question });
 *   fast.report!.equivalentTokens; fast.flops.total / base.flops.total;
 */
import { ApiError } from '../../shared/errors';
import type { FlopsBreakdown, FlopsConvention } from '../../shared/flops';
import type { MethodSpec } from '../../shared/schemas/runs';
import type { PruningReport } from '../../shared/trace';
import type { LlavaConfig } from '../models/checkpoint/types';
import { combineHooks, type RuntimeHooks } from '../models/runtime/hooks';
import { flopsOfRun } from '../models/runtime/measured-run';
import type { ImageSource } from '../models/runtime/preprocess';
import type { AnswerResult, VlmRuntime } from '../models/runtime/vlm';
import { bindPruner, runGeometry } from '../pruners/bind';
import type { AnyPruner, RunGeometry } from '../pruners/define';
import { methodOverhead } from '../pruners/overhead';
import { listPruners } from '../pruners/registry';

/** The id of the unpruned baseline. */
export const BASELINE = 'none';

/** A validated method: the baseline (no `pruner`) or a registered method at a retention. */
export interface PlannedMethod {
  id: string;
  /** Absent for the baseline. */
  pruner?: AnyPruner;
  retention: number;
  params: Record<string, unknown>;
  seed: number;
  /** The run's geometry; absent for the baseline, which needs none. */
  geometry?: RunGeometry;
}

/** One answer with a planned method. */
export interface MethodPass {
  result: AnswerResult;
  /** Absent for the baseline. */
  report?: PruningReport;
  flops: FlopsBreakdown;
  /** Equivalent tokens: the layer-averaged visual count (all visual tokens for the baseline). */
  equivalentTokens: number;
}

function geometryOf(config: LlavaConfig, frames: number, id: string): RunGeometry {
  try {
    return runGeometry(config, frames);
  } catch (err) {
    throw new ApiError('unsupported', `method '${id}' cannot run on this model: ${err instanceof Error ? err.message : String(err)}`, { subject: id, hint: 'Run the unpruned baseline only, or pick a model whose features drop the CLS token.' });
  }
}

/**
 * The methods to run, the baseline first (once, whether or not it was listed), then the others in
 * request order. Every method is checked before anything runs: an unknown id, a missing or
 * out-of-range retention and parameters its schema refuses are ApiError 'invalid-input' naming
 * the method; a method that does not support the input's modality is 'unsupported'.
 */
export function planMethods(methods: readonly MethodSpec[] | undefined, config: LlavaConfig, frames: number): PlannedMethod[] {
  const plan: PlannedMethod[] = [];
  let geometry: RunGeometry | undefined;
  for (const spec of methods ?? []) {
    if (spec.id === BASELINE) continue;
    const pruner = listPruners().find((p) => p.id === spec.id);
    if (!pruner) {
      throw new ApiError('invalid-input', `unknown compression method '${spec.id}'; known: ${[BASELINE, ...listPruners().map((p) => p.id)].join(', ')}`, { subject: spec.id, hint: 'Run `tokenlab methods` (or method:list) for the ids.' });
    }
    const retention = spec.retention;
    if (retention === undefined || !(retention > 0 && retention <= 1)) {
      throw new ApiError('invalid-input', `method '${spec.id}': retention must be in (0, 1], got ${retention ?? 'none'}`, { subject: spec.id, hint: 'Retention is the fraction of visual tokens kept: 0.25 keeps a quarter.' });
    }
    geometry ??= geometryOf(config, frames, spec.id);
    const planned: PlannedMethod = { id: spec.id, pruner, retention, params: spec.params ?? {}, seed: spec.seed ?? 0, geometry };
    bindPruner(pruner, { retention, user: planned.params, seed: planned.seed }, geometry); // validates params and modality now
    plan.push(planned);
  }
  return [{ id: BASELINE, retention: 1, params: {}, seed: 0 }, ...plan];
}

/** What to answer. */
export interface PassRequest {
  images: readonly ImageSource[];
  question: string;
  maxNewTokens?: number;
  convention?: FlopsConvention;
  /** Hooks run after the method's (progress, cancellation, probes of the caller). */
  hooks?: RuntimeHooks;
}

/** Answers `req` once with `method` bound afresh (its state is per run); see the module comment. */
export async function methodPass(rt: VlmRuntime, method: PlannedMethod, req: PassRequest): Promise<MethodPass> {
  const ask = { images: req.images, question: req.question, ...(req.maxNewTokens === undefined ? {} : { maxNewTokens: req.maxNewTokens }) };
  if (!method.pruner || !method.geometry) {
    const result = await rt.answer({ ...ask, ...(req.hooks ? { hooks: req.hooks } : {}) });
    const visual = result.tokenCounts.decoderVisual;
    const equivalentTokens = visual.length ? visual.reduce((a, b) => a + b, 0) / visual.length : result.tokenCounts.projector;
    return { result, flops: flopsOfRun(rt, result, req.convention), equivalentTokens };
  }
  const bound = bindPruner(method.pruner, { retention: method.retention, user: method.params, seed: method.seed }, method.geometry);
  const hooks = req.hooks ? combineHooks([bound.hooks, req.hooks]) : bound.hooks;
  const result = await rt.answer({ ...ask, hooks });
  const report = bound.report(result.layout);
  const overhead = methodOverhead(method.pruner, report.params, method.geometry, report.trace, rt.model.config, result.layout.prefixLength);
  return { result, report, flops: flopsOfRun(rt, result, req.convention, overhead), equivalentTokens: report.equivalentTokens };
}
