/**
 * Handler of `run:start`: one question about one imported image, answered by a model (loaded on
 * demand), once per method with the unpruned baseline first. Progress: 'load' (when the model
 * was not loaded), then 'vision', 'prefill', 'decode' per run; cancellation is checked between
 * layers. Runs on one model are serialised so their latencies do not disturb each other.
 */
import type { Handlers } from '../../shared/api';
import { ApiError } from '../../shared/errors';
import type { MediaStore } from '../media/store';
import { runQuestion } from '../runs/run-question';
import { ensureLoaded, pickModelFolder, type ModelState } from './models';

/** The calls implemented here. */
export type RunCallName = 'run:start';

/** The run handlers over the shared model state and the media store the media handlers fill. */
export function createRunHandlers(state: ModelState, media: MediaStore): Pick<Handlers, RunCallName> {
  return {
    'run:start': async (req, context) => {
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
      const run = await state.cache.exclusive(entry, () =>
        runQuestion(entry.runtime, {
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
