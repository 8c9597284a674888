/**
 * Schemas of `run:start`: one question about one imported image, answered once per method. The
 * unpruned model ('none') is always the first result, so every other method's fidelity is
 * measured against it. Responses stay small: top-5 of the first answer token, never full logits.
 */
import { z } from 'zod';
import type { FlopsBreakdown } from '../flops';
import { PruningReport } from '../trace';

const Count = z.number().int().nonnegative();

/**
 * A compression method (an id from method:list, or 'none' for the baseline), its parameters
 * (validated against the method's own strict schema by the engine: unknown names are refused) and
 * the retention it runs at. Retention is the fraction of the visual tokens kept, 0 < r ≤ 1; every
 * method but 'none' needs one.
 */
export const MethodSpec = z.object({
  id: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  retention: z.number().gt(0, 'retention must be > 0').max(1, 'retention must be ≤ 1').optional(),
  /** Seed of the method's randomness (only 'random' has any); default 0. */
  seed: z.number().int().nonnegative().optional(),
});
export type MethodSpec = z.infer<typeof MethodSpec>;

export const FlopsConventionSchema = z.enum(['paper', 'fastv']);

export const RunStartRequest = z.object({
  /** A model from model:list; default: the model loaded last, else the bundled reference. */
  modelId: z.string().min(1).optional(),
  /** An item imported with media:import / media:importPath. */
  mediaId: z.string().min(1),
  question: z.string().trim().min(1, 'the question is empty').max(4000),
  /** Ground truth, when known: each result then says whether its answer matches (normalised exact match). */
  expectedAnswer: z.string().trim().min(1).max(1000).optional(),
  /** Methods to compare; the unpruned baseline ('none') always runs first. Default: only the baseline. */
  methods: z.array(MethodSpec).max(32).optional(),
  /** Longest answer in tokens (default 32). */
  maxNewTokens: z.number().int().min(1).max(512).optional(),
  /** Measured runs per method for latency (default 1). */
  repeats: z.number().int().min(1).max(50).optional(),
  /** Discarded runs before measuring (default 0; model:load already builds every graph). */
  warmup: z.number().int().min(0).max(10).optional(),
  /** FLOPs convention: 'paper' (3ndm MLP term, default) or FastV's 2ndm. */
  flopsConvention: FlopsConventionSchema.optional(),
});
export type RunStartRequest = z.infer<typeof RunStartRequest>;

/** One candidate of the first answer token's distribution. */
export const TokenCandidate = z.object({ id: Count, text: z.string(), prob: z.number().min(0).max(1), logit: z.number() });

/** Latency summary of one phase, milliseconds. */
export const LatencyStats = z.object({
  median: z.number(), mean: z.number(), min: z.number(), max: z.number(), p10: z.number(), p90: z.number(), stdev: z.number(), samples: Count,
});

/** FLOPs per component (MAC-style), with the per-layer token counts they come from. */
export const RunFlops = z.object({
  convention: FlopsConventionSchema,
  unit: z.string(),
  total: z.number().nonnegative(),
  vision: z.object({ total: z.number().nonnegative(), images: Count, tokensPerLayer: z.array(Count) }),
  projector: z.object({ total: z.number().nonnegative(), tokens: Count }),
  prefill: z.object({ total: z.number().nonnegative(), tokensPerLayer: z.array(Count), layers: z.array(z.number().nonnegative()) }),
  decode: z.object({ total: z.number().nonnegative(), steps: Count }),
  lmHead: z.object({ total: z.number().nonnegative() }),
  extra: z.object({ total: z.number().nonnegative(), items: z.array(z.object({ label: z.string(), flops: z.number() })) }),
  /** The decoder-layer formula, as printed in reports. */
  formula: z.string(),
  /** Every component's formula with the model's sizes filled in (shared/flops.ts), for the UI's hover; absent from older engines. */
  formulas: z
    .object({ visionLayer: z.string(), patchEmbedding: z.string(), projector: z.string(), decoderLayer: z.string(), decodeStep: z.string(), lmHead: z.string() })
    .optional(),
});
export type RunFlops = z.infer<typeof RunFlops>;

/** The contract's FLOPs summary of a shared/flops.ts breakdown (every component, formulas included). */
export function runFlopsOf(f: FlopsBreakdown): RunFlops {
  return {
    convention: f.convention,
    unit: f.unit,
    total: f.total,
    vision: { total: f.vision.total, images: f.vision.images, tokensPerLayer: f.vision.tokensPerLayer },
    projector: { total: f.projector.total, tokens: f.projector.tokens },
    prefill: { total: f.prefill.total, tokensPerLayer: f.prefill.tokensPerLayer, layers: f.prefill.layers },
    decode: { total: f.decode.total, steps: f.decode.steps },
    lmHead: { total: f.lmHead.total },
    extra: { total: f.extra.total, items: f.extra.items },
    formula: f.formulas.decoderLayer,
    formulas: { ...f.formulas },
  };
}

/** How far a method's output is from the unpruned model's (absent on the baseline itself). */
export const FidelitySchema = z.object({
  sameAnswer: z.boolean(),
  top1Agree: z.boolean(),
  /** KL(unpruned ‖ method) over the first answer token's distribution, nats. */
  klFirstToken: z.number().nonnegative(),
  /** log p_method − log p_unpruned of the unpruned model's first answer token. */
  logProbChange: z.number(),
});

/**
 * The outcome of one method on the question. results[0] is the baseline ('none': no `retention`,
 * `fidelity` or `pruning`); every other result has all three. `params` are the method's resolved
 * parameters (defaults and retention-derived values filled in). `flops.extra` holds the method's
 * own overhead (probes, selection); `flopsRatio` is flops.total over the baseline's.
 */
export const MethodResult = z.object({
  method: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  /** The retention requested (fraction of visual tokens kept). */
  retention: z.number().gt(0).max(1).optional(),
  answer: z.string(),
  ids: z.array(Count),
  /** Whether the answer matches expectedAnswer after normalisation; absent without one. */
  correct: z.boolean().optional(),
  firstToken: z.object({ id: Count, text: z.string(), prob: z.number().min(0).max(1), top: z.array(TokenCandidate).max(5) }),
  fidelity: FidelitySchema.optional(),
  flops: RunFlops,
  /** flops.total / the baseline's flops.total (1 on the baseline). */
  flopsRatio: z.number().nonnegative(),
  /** Mean over decoder layers of the visual tokens entering them (the baseline: all of them). */
  equivalentTokens: z.number().nonnegative(),
  /** The method's side of the run: resolved params, planned vs achieved retention, the token trace. */
  pruning: PruningReport.optional(),
  /** Per phase (preprocess, vision, prefill, decode, total). */
  latency: z.record(z.string(), LatencyStats),
  tokenCounts: z.object({
    /** Tokens entering each ViT layer, first frame (all frames are encoded alike when unpruned). */
    vit: z.array(Count),
    projector: Count,
    decoder: z.array(Count),
    decoderVisual: z.array(Count),
    decodeSteps: Count,
    text: Count,
  }),
  provider: z.string(),
  /**
   * True when this result was not computed by this call but reused from an earlier run:
   * run:start keeps the unpruned baseline per model, image, question and settings, so asking
   * again with other methods does not recompute it. Its latency is that earlier run's.
   */
  reused: z.boolean().optional(),
});
export type MethodResult = z.infer<typeof MethodResult>;

export const RunStartResponse = z.object({
  model: z.object({ id: z.string(), name: z.string(), provider: z.string(), threads: z.object({ intraOp: Count, interOp: Count }) }),
  media: z.object({ id: z.string(), name: z.string(), kind: z.enum(['image', 'video']) }),
  question: z.string(),
  expectedAnswer: z.string().optional(),
  /** The visual token grid: rows × cols per frame, frames in time order, tokens entering the LLM. */
  grid: z.object({ rows: Count, cols: Count, frames: z.number().int().positive(), tokensPerFrame: Count, visualTokens: Count }),
  warmup: Count,
  repeats: z.number().int().positive(),
  results: z.array(MethodResult).min(1),
});
export type RunStartResponse = z.infer<typeof RunStartResponse>;
