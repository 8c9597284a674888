/**
 * The engine's loaded models: each folder is loaded once (config, weight headers, tokenizer),
 * its graphs are built up front (so the first run is not a cold one), and the VlmRuntime is kept
 * until evicted. Loads report progress step by step and can be cancelled between steps.
 *
 * Concurrent loads of the same folder share one load; it is aborted only when every caller
 * waiting on it has cancelled, so one cancelled request never fails another's.
 * Runs on one model are serialised (`exclusive`): two runs sharing the CPU would make both
 * latency figures meaningless.
 */
import { resolve } from 'node:path';
import { ApiError } from '../../shared/errors';
import { CheckpointError } from './checkpoint/errors';
import { loadModel } from './checkpoint/load';
import type { LoadedModel } from './checkpoint/types';
import type { ModelFolder } from './registry';
import type { RuntimeOptions } from './runtime/session';
import { VlmRuntime } from './runtime/vlm';

/** One step of a load, for progress events (phase 'load'). */
export interface LoadStep {
  done: number;
  total: number;
  message: string;
}

/** A loaded model ready to run. */
export interface CachedModel {
  folder: ModelFolder;
  model: LoadedModel;
  runtime: VlmRuntime;
  /** Wall time of the load, ms. */
  loadMs: number;
}

/** Options of one load request. */
export interface LoadRequestOptions {
  signal?: AbortSignal;
  onProgress?: (step: LoadStep) => void;
  /** Session options used when this request starts the load (ignored when the model is already loaded). */
  runtime?: RuntimeOptions;
}

interface Pending {
  promise: Promise<CachedModel>;
  controller: AbortController;
  waiters: number;
  listeners: Set<(step: LoadStep) => void>;
}

/** The ApiError of a cancelled call (the dispatcher answers 'cancelled' too; this keeps direct callers honest). */
export function cancelledError(what: string): ApiError {
  return new ApiError('cancelled', `${what} was cancelled.`);
}

/** Throws `cancelledError` when `signal` has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

/** A loader error as an ApiError('model-error') naming the folder, the file and what to do. */
export function modelError(folder: ModelFolder, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof CheckpointError) {
    return new ApiError('model-error', `Model "${folder.id}" (${folder.dir}) is broken: ${err.file}${err.tensor ? `, tensor ${err.tensor}` : ''}: ${err.reason}.`, { hint: err.hint, subject: err.file, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('model-error', `Model "${folder.id}" (${folder.dir}) failed to load: ${message}`, {
    hint: 'Check the folder with `tokenlab run --model DIR`; if it loads elsewhere, report this with the model folder.',
    subject: folder.dir,
    cause: err,
  });
}

/** Loaded models by resolved folder. */
export class ModelCache {
  private readonly ready = new Map<string, CachedModel>();
  private readonly pending = new Map<string, Pending>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private lastDir: string | undefined;

  constructor(private readonly defaults: RuntimeOptions = {}) {}

  /** The loaded model of `dir`, if any. */
  get(dir: string): CachedModel | undefined {
    return this.ready.get(resolve(dir));
  }

  /** Whether `dir` is loaded. */
  has(dir: string): boolean {
    return this.ready.has(resolve(dir));
  }

  /** The model loaded (or used) most recently, if it is still loaded. */
  last(): CachedModel | undefined {
    return this.lastDir === undefined ? undefined : this.ready.get(this.lastDir);
  }

  /**
   * The loaded model of `folder`, loading it first when needed: load (config, weights headers,
   * tokenizer), then build every graph an unpruned run uses. Throws ApiError 'model-error' for a
   * broken folder and 'cancelled' when this caller's signal fires first.
   */
  async load(folder: ModelFolder, options: LoadRequestOptions = {}): Promise<CachedModel> {
    const dir = resolve(folder.dir);
    throwIfCancelled(options.signal, `Loading model "${folder.id}"`);
    const hit = this.ready.get(dir);
    if (hit) {
      this.lastDir = dir;
      return hit;
    }
    let p = this.pending.get(dir);
    if (!p) {
      const controller = new AbortController();
      const listeners = new Set<(step: LoadStep) => void>();
      // Started a microtask later, so this caller's progress listener (added below) sees the first steps.
      const promise = Promise.resolve().then(() => this.doLoad(folder, controller.signal, (s) => listeners.forEach((l) => l(s)), { ...this.defaults, ...options.runtime }));
      const created: Pending = { promise, controller, waiters: 0, listeners };
      p = created;
      this.pending.set(dir, created);
      promise.then(
        (m) => {
          if (this.pending.get(dir) === created) this.pending.delete(dir);
          this.ready.set(dir, m);
          this.lastDir = dir;
        },
        () => {
          if (this.pending.get(dir) === created) this.pending.delete(dir);
        },
      );
    }
    const shared = p;
    shared.waiters++;
    if (options.onProgress) shared.listeners.add(options.onProgress);
    try {
      return await new Promise<CachedModel>((resolvePromise, reject) => {
        const onAbort = (): void => reject(cancelledError(`Loading model "${folder.id}"`));
        options.signal?.addEventListener('abort', onAbort, { once: true });
        shared.promise.then(resolvePromise, reject).finally(() => options.signal?.removeEventListener('abort', onAbort));
      });
    } finally {
      if (options.onProgress) shared.listeners.delete(options.onProgress);
      shared.waiters--;
      // The last interested caller gone before the load finished: stop building graphs for nobody.
      // Forgotten at once, so a new request starts a fresh load instead of joining the aborted one.
      if (shared.waiters === 0 && this.pending.get(dir) === shared) {
        this.pending.delete(dir);
        shared.controller.abort();
      }
    }
  }

  /** Releases a loaded model's sessions and weights; false when it was not loaded. Waits for a run in progress. */
  async evict(dir: string): Promise<boolean> {
    const key = resolve(dir);
    const entry = this.ready.get(key);
    if (!entry) return false;
    this.ready.delete(key);
    if (this.lastDir === key) this.lastDir = undefined;
    await this.locks.get(key)?.catch(() => {});
    await entry.runtime.dispose();
    entry.model.weights.close();
    return true;
  }

  /** Evicts every model (engine shutdown, tests). */
  async clear(): Promise<void> {
    for (const dir of [...this.ready.keys()]) await this.evict(dir);
  }

  /** Runs `fn` when no other `exclusive` call on the same model is running (FIFO); throws ApiError('not-found') if the model was evicted meanwhile. */
  async exclusive<T>(entry: CachedModel, fn: () => Promise<T>): Promise<T> {
    const key = resolve(entry.folder.dir);
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => {
      // Evicted while this run waited its turn: its sessions are gone, so say so rather than crash.
      if (this.ready.get(key) !== entry) {
        throw new ApiError('not-found', `Model "${entry.folder.id}" was unloaded before the run started.`, { hint: 'Load it again (model:load) and repeat the run.', subject: entry.folder.id });
      }
      return fn();
    });
    this.locks.set(key, run);
    this.lastDir = key;
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  private async doLoad(folder: ModelFolder, signal: AbortSignal, progress: (s: LoadStep) => void, runtimeOptions: RuntimeOptions): Promise<CachedModel> {
    const started = performance.now();
    const what = `Loading model "${folder.id}"`;
    let model: LoadedModel | undefined;
    let runtime: VlmRuntime | undefined;
    try {
      // Steps: the loader's three stages, building every graph, ready. Graphs are built by
      // runtime.warm() (one step, not one per graph) so this stays right whatever graphs the
      // runtime uses; cancellation is checked between steps.
      const stages = { config: [0, 'reading config.json and preprocessor_config.json'], weights: [1, 'checking the weights against the config'], values: [1, 'checking weight values'], tokenizer: [2, 'loading the tokenizer'] } as const;
      const total = 4;
      model = await loadModel(folder.dir, { onProgress: (s) => progress({ done: stages[s.stage][0], total, message: stages[s.stage][1] }) });
      throwIfCancelled(signal, what);
      runtime = new VlmRuntime(model, runtimeOptions);
      const rt = runtime;
      progress({ done: 3, total, message: 'building the ONNX graphs and sessions' });
      await rt.warm();
      throwIfCancelled(signal, what);
      progress({ done: total, total, message: `ready on ${rt.provider} (graphs built in ${rt.graphs.buildSeconds.toFixed(1)} s)` });
      return { folder, model, runtime: rt, loadMs: performance.now() - started };
    } catch (err) {
      if (runtime) await runtime.dispose().catch(() => {});
      model?.weights.close();
      throw signal.aborted ? cancelledError(what) : modelError(folder, err);
    }
  }
}
