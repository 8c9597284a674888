/**
 * Handler of `model:warm`: what the lab calls as soon as it shows, so the user's first click is as
 * fast as the tenth. Loading a model builds the graphs an unpruned run needs (model-cache.ts), but
 * a first run still pays ONNX Runtime's first-inference costs (arena allocations, thread start-up),
 * sharp's first decode, and the probe graphs each method builds lazily on its first use (FastV's
 * attention rows cost ~200 ms on 2 busy cores). So after the load this answers one throwaway
 * question on a blank image with the unpruned model and then each registered image method.
 *
 * Each method's pass holds the model's run lock on its own, so a real run started meanwhile waits
 * for at most one pass (tens of ms on the reference model), never for the whole warm-up; and once
 * the user has started a run the warm-up stops: on a large model one throwaway pass can take
 * seconds, and every further one would delay the user's next click. The methods it did not reach
 * are listed in `skipped` with that reason (their first real run pays their first-use costs, as
 * without a warm-up). A method whose pass fails is listed in `skipped` too and the warm-up goes
 * on: the user's own run reports that failure properly.
 */
import sharp from 'sharp';
import type { CallContext, Handlers } from '../../shared/api';
import { toApiError } from '../../shared/errors';
import type { ModelWarmResponse } from '../../shared/schemas/models';
import { throwIfCancelled } from '../models/model-cache';
import { listPruners } from '../pruners/registry';
import { runQuestion } from '../runs/run-question';
import { ensureLoaded, loadedInfo, pickModelFolder, type ModelState } from './models';

/** The calls implemented here. */
export type WarmCallName = 'model:warm';

/** The id of the unpruned pass in `methods`. */
const BASELINE = 'none';
/** Retention of the warm-up passes: any valid value builds the same graphs; the lab's default. */
const WARM_RETENTION = 0.25;

/** A mid-grey PNG of `side`² pixels: decodes like any user image, means nothing to the model. */
export async function blankImage(side: number): Promise<Uint8Array> {
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
}

/** Ids of the registered methods that take still images, in registry order. */
export function imageMethodIds(): string[] {
  return listPruners()
    .filter((p) => p.modalities.includes('image'))
    .map((p) => p.id);
}

/** The handler of `model:warm` over the shared model state. */
export function createWarmHandlers(state: ModelState): Pick<Handlers, WarmCallName> {
  return {
    'model:warm': async ({ modelId }, context: CallContext): Promise<ModelWarmResponse> => {
      const folder = pickModelFolder(state, modelId);
      const { entry, loadMs } = await ensureLoaded(state, folder, context);
      const rt = entry.runtime;
      const image = await blankImage(rt.model.config.vision.imageSize);
      const plan = [BASELINE, ...imageMethodIds()];
      const methods: string[] = [];
      const skipped: ModelWarmResponse['skipped'] = [];
      const started = performance.now();
      const runsBefore = state.runsStarted;
      for (const [i, id] of plan.entries()) {
        throwIfCancelled(context.signal, 'The warm-up');
        if (state.runsStarted !== runsBefore) {
          for (const rest of plan.slice(i)) skipped.push({ method: rest, reason: 'not warmed up: a run started, and the warm-up gave way to it' });
          break;
        }
        context.progress({ phase: 'warm', done: i, total: plan.length, message: `${folder.id}: first pass of ${id === BASELINE ? 'the unpruned model' : id}` });
        try {
          // runQuestion always runs the unpruned pass first; one decoded token is enough to touch every graph.
          await state.cache.exclusive(entry, () =>
            runQuestion(rt, { images: [image], question: 'warm-up', maxNewTokens: 1, signal: context.signal, ...(id === BASELINE ? {} : { methods: [{ id, params: {}, retention: WARM_RETENTION }] }) }),
          );
          methods.push(id);
        } catch (err) {
          const error = toApiError(err);
          if (error.code === 'cancelled' || context.signal.aborted) throw error;
          // An unloaded model cannot be warmed further; anything else only concerns this method.
          if (error.code === 'not-found') throw error;
          skipped.push({ method: id, reason: error.message });
        }
      }
      const warmMs = performance.now() - started;
      context.progress({ phase: 'warm', done: plan.length, total: plan.length, message: `${folder.id}: warmed up in ${(warmMs / 1000).toFixed(1)} s${skipped.length ? ` (${skipped.length} method(s) skipped)` : ''}` });
      return { ...loadedInfo(entry, loadMs), warmMs, methods, skipped };
    },
  };
}
