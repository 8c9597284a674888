/**
 * EngineHost: an ApiClient whose engine runs in a separate worker process, so a native crash
 * (onnxruntime, sharp, ffmpeg) takes down the worker, never the app or the server.
 *
 * - Calls made before the worker reports ready are queued and sent once it is.
 * - A caller's AbortSignal rejects the call at once with 'cancelled' and tells the worker.
 * - When the worker dies, calls it was running reject with 'engine-crashed'; calls still queued
 *   survive and go to the replacement. `engine:status` reports crashed → restarting → ready.
 * - More than `maxRapidCrashes` crashes within `rapidWindowMs` stop the restarts (state
 *   'stopped'); later calls reject with 'engine-crashed' and say what to do.
 */
import { ApiErrorShape, ApiError } from '../shared/errors';
import { isEventName, parseEvent, parseRequest, parseResponse, type ApiClient, type CallName, type CallOptions, type EventName, type EventPayload, type Req, type Res } from '../shared/api';
import type { EngineStatus } from '../shared/schemas/app';
import type { WireMessage } from '../shared/wire';
import { describeExit, type WorkerExit, type WorkerHandle, type WorkerSpawner } from './worker';

/** Options of an EngineHost. */
export interface EngineHostOptions {
  spawner: WorkerSpawner;
  /** Crashes tolerated within `rapidWindowMs` before giving up (default 3). */
  maxRapidCrashes?: number;
  rapidWindowMs?: number;
  /** Pause before a restart, multiplied by the number of recent crashes (default 250 ms). */
  restartDelayMs?: number;
  /** A worker that has not reported ready by then is killed and counts as a crash (default 60 s). */
  readyTimeoutMs?: number;
  /** Diagnostics (default: stderr). */
  log?: (line: string) => void;
}

interface Pending {
  name: CallName;
  resolve(value: unknown): void;
  reject(error: ApiError): void;
  onProgress?: CallOptions['onProgress'];
  detach(): void;
}

type Listener = (payload: never) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The desktop app's and the server's client of the engine worker. Call `close()` to stop it. */
export class EngineHost implements ApiClient {
  private readonly options: Required<Omit<EngineHostOptions, 'spawner'>> & { spawner: WorkerSpawner };
  private worker: WorkerHandle | undefined;
  private ready = false;
  private readyTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private queue: WireMessage[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private crashTimes: number[] = [];
  private current: EngineStatus = { state: 'starting', restarts: 0 };
  private nextId = 1;
  private closing = false;
  private readyWaiters: Array<() => void> = [];

  constructor(options: EngineHostOptions) {
    this.options = {
      maxRapidCrashes: 3,
      rapidWindowMs: 60_000,
      restartDelayMs: 250,
      readyTimeoutMs: 60_000,
      log: (line) => process.stderr.write(`${line}\n`),
      ...options,
    };
    this.spawnWorker();
  }

  /** The latest engine status (also pushed as `engine:status` events). */
  status(): EngineStatus {
    return { ...this.current };
  }

  /** Resolves when the worker is ready, or when the host has stopped for good; never rejects. */
  whenReady(): Promise<void> {
    if (this.ready || this.current.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  call<K extends CallName>(name: K, request: Req<K>, options: CallOptions = {}): Promise<Res<K>> {
    return new Promise<Res<K>>((resolve, reject) => {
      if (this.current.state === 'stopped') {
        reject(this.stoppedError(name));
        return;
      }
      const payload = parseRequest(name, request); // throws invalid-input before anything is sent
      const { signal } = options;
      if (signal?.aborted) {
        reject(new ApiError('cancelled', `${name} was cancelled before it started.`, { subject: name }));
        return;
      }
      const id = this.nextId++;
      const onAbort = (): void => {
        if (!this.pending.delete(id)) return;
        const queuedBefore = this.queue.length;
        this.queue = this.queue.filter((m) => !(m.type === 'call' && m.id === id));
        if (this.queue.length === queuedBefore) this.post({ type: 'cancel', id });
        reject(new ApiError('cancelled', `${name} was cancelled.`, { subject: name }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        name,
        resolve: (value) => resolve(value as Res<K>),
        reject,
        onProgress: options.onProgress,
        detach: () => signal?.removeEventListener('abort', onAbort),
      });
      this.post({ type: 'call', id, name, payload });
    });
  }

  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** Stops the worker for good; calls still pending reject with 'cancelled'. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.readyTimer);
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    const exited = new Promise<void>((resolve) => {
      if (!worker) return resolve();
      worker.onExit(() => resolve());
      setTimeout(resolve, 5000).unref();
    });
    worker?.kill();
    for (const [id, p] of this.pending) this.settle(id, p, () => p.reject(new ApiError('cancelled', `${p.name} was stopped because TokenLab is shutting down.`, { subject: p.name })));
    this.queue = [];
    this.setStatus({ state: 'stopped', message: 'The engine was shut down.', restarts: this.current.restarts });
    this.flushReadyWaiters();
    await exited;
  }

  private stoppedError(name: string): ApiError {
    return new ApiError('engine-crashed', `The engine is not running, so ${name} cannot run. ${this.current.message ?? ''}`.trim(), {
      hint: 'Restart TokenLab. If the engine keeps crashing, run `npx tokenlab info` to check the installation and report the steps that led here.',
      subject: name,
    });
  }

  private post(message: WireMessage): void {
    if (!this.ready || !this.worker) {
      this.queue.push(message);
      return;
    }
    try {
      this.worker.send(message);
    } catch (err) {
      // The worker is going away; its exit handler rejects the call as engine-crashed.
      this.options.log(`tokenlab: could not send ${message.type} to the engine: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private spawnWorker(): void {
    let worker: WorkerHandle;
    try {
      worker = this.options.spawner.spawn();
    } catch (err) {
      this.handleExit(undefined, { code: null, signal: null, reason: `failed to start: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    this.worker = worker;
    this.ready = false;
    worker.onMessage((message) => this.handleMessage(worker, message));
    worker.onExit((exit) => this.handleExit(worker, exit));
    this.readyTimer = setTimeout(() => {
      this.options.log(`tokenlab: the engine did not start within ${this.options.readyTimeoutMs} ms; killing it.`);
      worker.kill();
    }, this.options.readyTimeoutMs);
    this.readyTimer.unref();
  }

  private handleMessage(from: WorkerHandle, message: unknown): void {
    if (from !== this.worker || !isRecord(message)) return;
    try {
      if (message.type === 'event') this.handleEvent(message.name, message.payload);
      else if (message.type === 'result') this.handleResult(message);
      else if (message.type === 'progress') {
        const p = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
        p?.onProgress?.(parseEvent('task:progress', message.payload));
      }
    } catch (err) {
      this.options.log(`tokenlab: ignored a malformed message from the engine: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private handleEvent(name: unknown, payload: unknown): void {
    if (!isEventName(name)) throw new Error(`unknown event ${String(name)}`);
    if (name === 'engine:status') {
      // The worker only announces readiness; the host owns the status (it knows the restarts).
      if (parseEvent(name, payload).state === 'ready' && !this.ready) this.markReady();
      return;
    }
    this.emit(name, parseEvent(name, payload));
  }

  private handleResult(message: Record<string, unknown>): void {
    const id = message.id;
    const p = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!p || typeof id !== 'number') return; // cancelled or unknown: nothing waits for it
    if (message.ok === true) {
      let value: unknown;
      try {
        value = parseResponse(p.name, message.value);
      } catch (err) {
        this.settle(id, p, () => p.reject(err as ApiError));
        return;
      }
      this.settle(id, p, () => p.resolve(value));
      return;
    }
    const shape = ApiErrorShape.safeParse(message.error);
    const error = shape.success ? ApiError.fromShape(shape.data) : new ApiError('internal', `The engine sent a malformed error for ${p.name}.`, { subject: p.name });
    this.settle(id, p, () => p.reject(error));
  }

  private settle(id: number, p: Pending, finish: () => void): void {
    this.pending.delete(id);
    p.detach();
    finish();
  }

  private markReady(): void {
    clearTimeout(this.readyTimer);
    this.ready = true;
    this.setStatus({ state: 'ready', restarts: this.current.restarts });
    const queued = this.queue;
    this.queue = [];
    for (const message of queued) this.post(message);
    this.flushReadyWaiters();
  }

  private flushReadyWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private handleExit(from: WorkerHandle | undefined, exit: WorkerExit): void {
    if (from && from !== this.worker) return;
    clearTimeout(this.readyTimer);
    this.worker = undefined;
    this.ready = false;
    if (this.closing) return;
    const cause = describeExit(exit);
    // Calls the worker had received die with it; calls still queued never reached it and are kept.
    const queuedIds = new Set(this.queue.flatMap((m) => (m.type === 'call' ? [m.id] : [])));
    for (const [id, p] of this.pending) {
      if (queuedIds.has(id)) continue;
      this.settle(id, p, () =>
        p.reject(
          new ApiError('engine-crashed', `The engine process stopped (${cause}) while running ${p.name}.`, {
            hint: 'TokenLab restarts the engine automatically; try again. If the same input crashes it again, please report it with that input.',
            subject: p.name,
          }),
        ),
      );
    }
    this.queue = this.queue.filter((m) => m.type === 'call');
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.options.rapidWindowMs), now];
    this.options.log(`tokenlab: the engine process stopped (${cause}).`);
    this.setStatus({ state: 'crashed', message: `The engine process stopped (${cause}).`, restarts: this.current.restarts });
    if (this.crashTimes.length > this.options.maxRapidCrashes) {
      const seconds = Math.round(this.options.rapidWindowMs / 1000);
      this.setStatus({ state: 'stopped', message: `The engine crashed ${this.crashTimes.length} times within ${seconds} s (last: ${cause}); TokenLab stopped restarting it.`, restarts: this.current.restarts });
      for (const [id, p] of this.pending) this.settle(id, p, () => p.reject(this.stoppedError(p.name)));
      this.queue = [];
      this.flushReadyWaiters();
      return;
    }
    this.setStatus({ state: 'restarting', restarts: this.current.restarts + 1 });
    this.restartTimer = setTimeout(() => this.spawnWorker(), this.options.restartDelayMs * this.crashTimes.length);
  }

  private setStatus(status: EngineStatus): void {
    this.current = status;
    this.emit('engine:status', status);
  }

  private emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as (p: EventPayload<K>) => void)(payload);
      } catch (err) {
        this.options.log(`tokenlab: an ${name} listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
