/**
 * The TokenLab contract: every call the UI (or any client) can make to the engine, and every
 * event the engine pushes, each with zod schemas. Every payload is validated where it arrives
 * (`parseRequest` on the engine side, `parseResponse` on the client side, `parseEvent` for events).
 *
 * To add a call: add an entry to `calls`; the `Handlers` mapped type then makes the engine fail
 * to compile until it implements the handler. Names are `domain:action`.
 */
import { z } from 'zod';
import { ApiError } from './errors';
import { AppInfo, MediaItem, MediaImportRequest, MediaImportPathRequest, MediaPreview, MediaPreviewRequest, EngineStatus, TaskProgress } from './schemas/app';
import { LoadedModelInfo, ModelLoadRequest, ModelSummary, ModelUnloadRequest, ModelUnloadResponse, ModelWarmRequest, ModelWarmResponse } from './schemas/models';
import { RunStartRequest, RunStartResponse } from './schemas/runs';
import { MethodSummary } from './schemas/methods';
import { BenchSamplesRequest, BenchSamplesResponse } from './schemas/bench';

/** One request/response call. `progress` is the schema of its progress events, if it streams any. */
export interface CallSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType, Prog extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
  progress?: Prog;
  /** Long calls accept cancellation and report progress. */
  long?: boolean;
}

/** Every call, by name. */
export const calls = {
  /** What this engine can do: version, execution providers, ffmpeg, models found. */
  'app:info': { request: z.object({}), response: AppInfo },
  /** Import one image (or video) from bytes: validates it and returns metadata + a thumbnail. */
  'media:import': { request: MediaImportRequest, response: MediaItem },
  /** Import one image (or video) from a path on the engine's machine. */
  'media:importPath': { request: MediaImportPathRequest, response: MediaItem },
  /** Media imported in this engine session, oldest first. */
  'media:list': { request: z.object({}), response: z.array(MediaItem) },
  /** Forget one imported item. */
  'media:remove': { request: z.object({ id: z.string().min(1) }), response: z.object({ removed: z.boolean() }) },
  /** A display-size image of one imported item, for the viewer. */
  'media:preview': { request: MediaPreviewRequest, response: MediaPreview },
  /** Every model folder the engine sees (bundled, TOKENLAB_MODELS, added); broken ones carry the loader's reason. */
  'model:list': { request: z.object({}), response: z.array(ModelSummary) },
  /** Loads a model (by id, or a folder, which is added to the list) and builds its graphs; progress phase 'load'. */
  'model:load': { request: ModelLoadRequest, response: LoadedModelInfo, progress: TaskProgress, long: true },
  /**
   * Loads a model (as model:load; default the model a run would use) and then answers one throwaway
   * question on a blank image with the unpruned model and every image method, so the first real run
   * pays no first-inference costs; progress 'load', then 'warm' per method. A run started meanwhile
   * waits for one pass at most.
   */
  'model:warm': { request: ModelWarmRequest, response: ModelWarmResponse, progress: TaskProgress, long: true },
  /** Releases a loaded model's sessions and weights. */
  'model:unload': { request: ModelUnloadRequest, response: ModelUnloadResponse },
  /** Answers a question about an imported image, once per method (unpruned first); progress 'load' | 'vision' | 'prefill' | 'decode'. */
  'run:start': { request: RunStartRequest, response: RunStartResponse, progress: TaskProgress, long: true },
  /** The registered compression methods with their stages and parameter JSON Schemas (as `tokenlab methods --json`). */
  'method:list': { request: z.object({}), response: z.array(MethodSummary) },
  /** A page of a benchmark's samples (default shapes:test, generated once on first use; progress phase 'generate'). */
  'bench:samples': { request: BenchSamplesRequest, response: BenchSamplesResponse, progress: TaskProgress, long: true },
} satisfies Record<string, CallSpec>;

/** Every event, by name. */
export const events = {
  /** The engine process changed state (started, crashed, restarted). */
  'engine:status': EngineStatus,
  /** Progress of a long task (model load, run, sweep), also delivered to the call's own listener. */
  'task:progress': TaskProgress,
} satisfies Record<string, z.ZodType>;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type EventName = keyof typeof events;
export type Req<K extends CallName> = z.infer<Calls[K]['request']>;
export type Res<K extends CallName> = z.infer<Calls[K]['response']>;
export type EventPayload<K extends EventName> = z.infer<(typeof events)[K]>;

/** What a handler gets besides its request. */
export interface CallContext {
  /** Fires when the caller cancels (or disconnects); long handlers must check it between steps. */
  signal: AbortSignal;
  /** Sends a progress event to the caller of this call. */
  progress(payload: EventPayload<'task:progress'>): void;
}

/** The engine's implementation of the contract: a missing handler is a compile error. */
export type Handlers = { [K in CallName]: (request: Req<K>, context: CallContext) => Promise<Res<K>> };

/** Options of one call on the client side. */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (payload: EventPayload<'task:progress'>) => void;
}

/** The client the renderer talks to; transports (IPC, HTTP/WebSocket) implement it. */
export interface ApiClient {
  call<K extends CallName>(name: K, request: Req<K>, options?: CallOptions): Promise<Res<K>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
}

/** True when `name` is a call of the contract (use before indexing `calls` with untrusted input). */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

/** True when `name` is an event of the contract. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`).join('; ');
}

/** Validates a request payload; throws ApiError('invalid-input') naming the call and the bad fields. */
export function parseRequest<K extends CallName>(name: K, payload: unknown): Req<K> {
  const result = calls[name].request.safeParse(payload);
  if (!result.success) throw new ApiError('invalid-input', `Invalid request for ${name}: ${describe(result.error)}`, { subject: name });
  return result.data as Req<K>;
}

/** Validates a response payload; throws ApiError('internal') — a response that breaks the contract is a bug. */
export function parseResponse<K extends CallName>(name: K, payload: unknown): Res<K> {
  const result = calls[name].response.safeParse(payload);
  if (!result.success) throw new ApiError('internal', `The engine sent an invalid response for ${name}: ${describe(result.error)}`, { subject: name });
  return result.data as Res<K>;
}

/** Validates an event payload; throws ApiError('internal') when it breaks the contract. */
export function parseEvent<K extends EventName>(name: K, payload: unknown): EventPayload<K> {
  const result = events[name].safeParse(payload);
  if (!result.success) throw new ApiError('internal', `Invalid ${name} event: ${describe(result.error)}`, { subject: name });
  return result.data as EventPayload<K>;
}
