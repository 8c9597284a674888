/**
 * Handler of `run:start`: one question about one imported image, answered by a model (loaded on
 * demand), once per method with the unpruned baseline first. Progress: 'load' (when the model
 * was not loaded), then 'vision', 'prefill', 'decode' per run; cancellation is checked between
 * layers. Runs on one model are serialised so their latencies do not disturb each other.
 *
 * The lab's loop is "same image, same question, try another method": the unpruned pass of such a
 * run is kept (per loaded model, image, question, token budget and FLOPs convention; the last few)
 * and reused, marked `reused`, instead of being recomputed on every click — as sweeps reuse it
 * per sample. Runs that ask for warm-up or repeats measure latency on purpose and always run it.
 */
import type { Handlers } from '../../shared/api';
import { ApiError } from '../../shared/errors';
import type { MediaStore } from '../media/store';
import type { CachedModel } from '../models/model-cache';
import type { MethodPass } from '../runs/method-pass';
import { runQuestion } from '../runs/run-question';
import { ensureLoaded, pickModelFolder, type ModelState } from './models';

/** Unpruned passes kept for reuse; each holds one answer's logits, so a handful costs little. */
const BASELINES_KEPT = 8;

/** Recently computed unpruned passes, by what determines them; a reloaded model never matches. */
class BaselineCache {
  private readonly passes = new Map<string, { entry: CachedModel; pass: MethodPass }>();

  /** The key of a run's unpruned pass: media, question and the settings that change its answer or FLOPs. */
  static key(mediaId: string, question: string, maxNewTokens: number | undefined, convention: string | undefined): string {
    return JSON.stringify([mediaId, question, maxNewTokens ?? null, convention ?? 'paper']);
  }

  get(entry: CachedModel, key: string): MethodPass | undefined {
    const hit = this.passes.get(`${entry.folder.dir}\n${key}`);
    return hit && hit.entry === entry ? hit.pass : undefined;
  }

  set(entry: CachedModel, key: string, pass: MethodPass): void {
    const k = `${entry.folder.dir}\n${key}`;
    this.passes.delete(k); // re-inserted last: the Map's order is the eviction order
    this.passes.set(k, { entry, pass });
    while (this.passes.size > BASELINES_KEPT) this.passes.delete(this.passes.keys().next().value!);
  }
}

/** The calls implemented here. */
export type RunCallName = 'run:start';

/** The run handlers over the shared model state and the media store the media handlers fill. */
export function createRunHandlers(state: ModelState, media: MediaStore): Pick<Handlers, RunCallName> {
  const baselines = new BaselineCache();
  return {
    'run:start': async (req, context) => {
      state.runsStarted++; // tells a warm-up in progress to stop (warm.ts)
      const item = media.get(req.mediaId);
      if (item.kind !== 'image') {
        throw new ApiError('unsupported', `"${item.name}" is a video; run:start answers questions about images for now.`, {
          hint: 'Import a still image, or use `tokenlab run --image` with the video\'s frames in time order.',
          subject: item.name,
        });
      }
      const bytes = await media.readBytes(req.mediaId);
      const folder = pickModelFolder(state, req.modelId);
      const { entry } = await ensureLoaded(state, folder, context);
      const reusable = (req.warmup ?? 0) === 0 && (req.repeats ?? 1) === 1;
      const key = BaselineCache.key(req.mediaId, req.question, req.maxNewTokens, req.flopsConvention);
      const cached = reusable ? baselines.get(entry, key) : undefined;
      const run = await state.cache.exclusive(entry, () =>
        runQuestion(entry.runtime, {
          ...(cached ? { baseline: cached } : {}),
          images: [bytes],
          question: req.question,
          expectedAnswer: req.expectedAnswer,
          methods: req.methods,
          maxNewTokens: req.maxNewTokens,
          repeats: req.repeats,
          warmup: req.warmup,
          convention: req.flopsConvention,
          signal: context.signal,
          onProgress: (p) => context.progress(p),
        }),
      );
      if (reusable && !cached) baselines.set(entry, key, run.baselinePass);
      const threads = entry.runtime.graphs.threads;
      const response = {
        model: { id: folder.id, name: entry.model.name, provider: entry.runtime.provider, threads: { intraOp: threads.intraOpThreads, interOp: threads.interOpThreads } },
        media: { id: item.id, name: item.name, kind: item.kind },
        question: req.question,
        grid: run.grid,
        warmup: req.warmup ?? 0,
        repeats: req.repeats ?? 1,
        results: run.results,
      };
      return req.expectedAnswer === undefined ? response : { ...response, expectedAnswer: req.expectedAnswer };
    },
  };
}
