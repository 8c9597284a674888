/**
 * Handlers of the model calls: `model:list` (every visible folder, broken ones with their reason),
 * `model:load` (by id or folder, with progress and cancellation) and `model:unload`. The registry
 * and the cache of loaded models live in one ModelState shared with the run handlers.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CallContext, Handlers } from '../../shared/api';
import { ApiError } from '../../shared/errors';
import type { LoadedModelInfo } from '../../shared/schemas/models';
import { ModelCache, type CachedModel } from '../models/model-cache';
import { ModelRegistry, digestOf, type ModelFolder, type RegistryOptions } from '../models/registry';
import type { RuntimeOptions } from '../models/runtime/session';

/** The calls implemented here. */
export type ModelCallName = 'model:list' | 'model:load' | 'model:unload';

/** Known folders and loaded models, shared by the model and run handlers. */
export interface ModelState {
  registry: ModelRegistry;
  cache: ModelCache;
  /** run:start calls begun so far; a warm-up stops once the user runs (warm.ts). */
  runsStarted: number;
}

/** A fresh ModelState; `runtime` sets default session options (threads, providers) for every load. */
export function createModelState(options: RegistryOptions & { runtime?: RuntimeOptions } = {}): ModelState {
  return { registry: new ModelRegistry(options), cache: new ModelCache(options.runtime), runsStarted: 0 };
}

/** The contract's description of a loaded model. */
export function loadedInfo(entry: CachedModel, loadMs: number): LoadedModelInfo {
  const { folder, model, runtime } = entry;
  const threads = runtime.graphs.threads;
  return {
    id: folder.id,
    name: model.name,
    dir: folder.dir,
    bundled: folder.source === 'bundled',
    source: folder.source,
    state: 'ok',
    digest: digestOf(model.config),
    loaded: true,
    provider: runtime.provider,
    threads: { intraOp: threads.intraOpThreads, interOp: threads.interOpThreads },
    loadMs,
    buildSeconds: runtime.graphs.buildSeconds,
  };
}

/**
 * The model a run uses: `modelId` when given; else the model loaded (or run) last; else the
 * bundled reference. Throws ApiError('not-found') with what to do when there is none.
 */
export function pickModelFolder(state: ModelState, modelId: string | undefined): ModelFolder {
  if (modelId !== undefined) return state.registry.byId(modelId);
  const last = state.cache.last();
  if (last) return last.folder;
  if (state.registry.hasBundled()) return state.registry.byId('reference');
  throw new ApiError('not-found', `No model is loaded and the bundled reference model is missing (${state.registry.bundledDir()}).`, {
    hint: 'Load a model folder first (model:load { dir }), or list folders in TOKENLAB_MODELS.',
  });
}

/** Loads `folder` (or returns it loaded), relaying load progress as phase 'load'. */
export async function ensureLoaded(state: ModelState, folder: ModelFolder, context: CallContext, runtime?: RuntimeOptions): Promise<{ entry: CachedModel; loadMs: number }> {
  const was = state.cache.get(folder.dir);
  if (was) return { entry: await state.cache.load(folder, { signal: context.signal }), loadMs: 0 };
  const entry = await state.cache.load(folder, {
    signal: context.signal,
    onProgress: (s) => context.progress({ phase: 'load', done: s.done, total: s.total, message: `${folder.id}: ${s.message}` }),
    runtime,
  });
  return { entry, loadMs: entry.loadMs };
}

/** The handlers of the model calls over `state`. */
export function createModelHandlers(state: ModelState): Pick<Handlers, ModelCallName> {
  return {
    'model:list': async () => state.registry.list((dir) => state.cache.has(dir)),
    'model:load': async ({ modelId, dir, threads }, context) => {
      if (dir !== undefined && !existsSync(dir)) {
        // Not added to the list: a mistyped path should not linger there as a broken model.
        throw new ApiError('not-found', `There is no folder at ${resolve(dir)}.`, { hint: 'Pass the folder that holds config.json, the safetensors weights and tokenizer.json.', subject: dir });
      }
      const folder = modelId !== undefined ? state.registry.byId(modelId) : state.registry.add(dir as string);
      const { entry, loadMs } = await ensureLoaded(state, folder, context, threads === undefined ? undefined : { intraOpThreads: threads });
      return loadedInfo(entry, loadMs);
    },
    'model:unload': async ({ modelId }) => {
      const folder = state.registry.byId(modelId);
      return { unloaded: await state.cache.evict(folder.dir) };
    },
  };
}
