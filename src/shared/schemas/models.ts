/**
 * Schemas of the model calls (`model:list`, `model:load`, `model:unload`): what the engine knows
 * about each model folder it can see, and the geometry a loaded model declares.
 */
import { z } from 'zod';

/** Where a model folder came from: shipped in models/reference, listed in TOKENLAB_MODELS, or added at run time. */
export const ModelSource = z.enum(['bundled', 'env', 'added']);
export type ModelSource = z.infer<typeof ModelSource>;

/** A model folder's problem, as the loader reported it (what failed, on which file, what to do). */
export const ModelProblem = z.object({
  message: z.string(),
  hint: z.string().optional(),
  /** The file (and tensor) the problem is about. */
  subject: z.string().optional(),
});
export type ModelProblem = z.infer<typeof ModelProblem>;

const Count = z.number().int().nonnegative();

/** The geometry a model's config declares: enough to size token grids and FLOPs without loading weights. */
export const ModelDigest = z.object({
  vision: z.object({ layers: Count, layersRun: Count, hiddenSize: Count, heads: Count, patchSize: Count, imageSize: Count }),
  projector: z.object({ act: z.string(), inputSize: Count, outputSize: Count }),
  text: z.object({ layers: Count, hiddenSize: Count, intermediateSize: Count, heads: Count, kvHeads: Count, vocabSize: Count }),
  /** The patch grid of one image (rows × cols). */
  grid: z.object({ rows: Count, cols: Count }),
  /** Visual tokens one image gives the LLM ('default' strategy drops CLS, 'full' keeps it). */
  visualTokensPerImage: Count,
  /** Visual tokens per video frame after the config's pooling (absent when the model declares no video settings). */
  visualTokensPerFrame: Count.optional(),
  featureLayer: z.number().int(),
  selectStrategy: z.enum(['default', 'full']),
});
export type ModelDigest = z.infer<typeof ModelDigest>;

/** One model folder the engine can see. `state` 'broken' carries the loader's reason; nothing throws for it. */
export const ModelSummary = z.object({
  /** Stable within an engine session: 'reference' for the bundled model, else the folder name (suffixed when two collide). */
  id: z.string().min(1),
  name: z.string(),
  dir: z.string(),
  bundled: z.boolean(),
  source: ModelSource,
  state: z.enum(['ok', 'broken']),
  problem: ModelProblem.optional(),
  digest: ModelDigest.optional(),
  /** Whether the engine holds it loaded (graphs built, ready to run). */
  loaded: z.boolean(),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

/** Loads a model by id (from model:list) or by folder (added to the list when new). */
export const ModelLoadRequest = z
  .object({
    modelId: z.string().min(1).optional(),
    dir: z.string().min(1).optional(),
    /** ONNX Runtime intra-op threads (default: 1 on ≤ 2 cores, else automatic). Applies when the model is not loaded yet. */
    threads: z.number().int().min(0).max(256).optional(),
  })
  .refine((r) => (r.modelId === undefined) !== (r.dir === undefined), { message: 'give exactly one of modelId or dir' });

/** A loaded model: its summary plus how it runs. */
export const LoadedModelInfo = ModelSummary.extend({
  /** Execution provider(s) the graphs run on, e.g. 'cpu' or 'cuda'. */
  provider: z.string(),
  threads: z.object({ intraOp: Count, interOp: Count }),
  /** Milliseconds the load took (0 when it was already loaded). */
  loadMs: z.number().nonnegative(),
  /** Seconds spent building graphs and ONNX sessions. */
  buildSeconds: z.number().nonnegative(),
});
export type LoadedModelInfo = z.infer<typeof LoadedModelInfo>;

/** Warms a model up: by id, or (none given) the model a run would use now. */
export const ModelWarmRequest = z.object({ modelId: z.string().min(1).optional() });

/** A warmed-up model: loaded as by model:load, plus the throwaway passes that paid the first-run costs. */
export const ModelWarmResponse = LoadedModelInfo.extend({
  /** Milliseconds of the throwaway passes (the load is in loadMs). */
  warmMs: z.number().nonnegative(),
  /** Methods whose first pass ran during the warm-up ('none' is the unpruned model). */
  methods: z.array(z.string()),
  /** Methods whose warm-up pass failed, with the reason; a real run reports the same failure properly. */
  skipped: z.array(z.object({ method: z.string(), reason: z.string() })),
});
export type ModelWarmResponse = z.infer<typeof ModelWarmResponse>;

export const ModelUnloadRequest = z.object({ modelId: z.string().min(1) });
export const ModelUnloadResponse = z.object({ unloaded: z.boolean() });
