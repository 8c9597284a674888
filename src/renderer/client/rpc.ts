/**
 * The transport-independent half of the renderer's ApiClient: call ids, pending calls,
 * cancellation, progress routing, event fan-out, and validation of everything that arrives.
 * A transport supplies `send` and feeds every incoming message to `receive`; when its
 * connection drops it calls `failPending`.
 */
import { isEventName, parseEvent, parseResponse, type ApiClient, type CallName, type CallOptions, type EventName, type EventPayload, type Req, type Res } from '../../shared/api';
import { ApiError, ApiErrorShape, toApiError } from '../../shared/errors';
import type { BridgeIncoming, BridgeOutgoing } from '../../shared/bridge';

interface Pending {
  name: CallName;
  resolve(value: unknown): void;
  reject(error: ApiError): void;
  onProgress?: CallOptions['onProgress'];
  cleanup(): void;
}

/** An ApiClient plus the hooks its transport drives. */
export interface RpcCore {
  client: ApiClient;
  /** Handles one message from the engine (result, progress or event). */
  receive(message: BridgeIncoming): void;
  /** Rejects every call in flight with `error` (the connection is gone; they cannot complete). */
  failPending(error: ApiError): void;
  /** Number of calls in flight (for tests and diagnostics). */
  pendingCount(): number;
}

/** Reports a message that broke the contract; it is dropped, never delivered half-checked. */
export type ProtocolErrorReporter = (error: ApiError) => void;

const defaultReporter: ProtocolErrorReporter = (error) => console.error(`[tokenlab] ${error.message}`);

/** Builds the RPC core over `send`. `send` may throw; the call then fails with that error. */
export function createRpcCore(send: (message: BridgeOutgoing) => void, reportProtocolError: ProtocolErrorReporter = defaultReporter): RpcCore {
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let nextId = 1;

  function settle(id: number): Pending | undefined {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    entry.cleanup();
    return entry;
  }

  function call<K extends CallName>(name: K, request: Req<K>, options: CallOptions = {}): Promise<Res<K>> {
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(new ApiError('cancelled', `${name} was cancelled before it started.`, { subject: name }));
    const id = nextId++;
    return new Promise<Res<K>>((resolve, reject) => {
      const onAbort = () => {
        if (!settle(id)) return;
        // Tell the engine to stop; the result it may still send is ignored (the id is gone).
        try {
          send({ type: 'cancel', id });
        } catch {
          // The connection is gone, so the engine already dropped the call.
        }
        reject(new ApiError('cancelled', `${name} was cancelled.`, { subject: name }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(id, {
        name,
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      try {
        send({ type: 'call', id, name, payload: request });
      } catch (err) {
        settle(id);
        reject(err instanceof ApiError ? err : new ApiError('disconnected', `Could not send ${name} to the engine: ${(err as Error).message}`, { subject: name, cause: err }));
      }
    });
  }

  function receiveResult(message: Extract<BridgeIncoming, { type: 'result' }>): void {
    const entry = settle(message.id);
    if (!entry) return; // cancelled or failed earlier: nobody waits for this result
    if (!message.ok) {
      const shape = ApiErrorShape.safeParse(message.error);
      entry.reject(shape.success ? ApiError.fromShape(shape.data) : new ApiError('internal', `The engine sent a malformed error for ${entry.name}.`, { subject: entry.name }));
      return;
    }
    try {
      entry.resolve(parseResponse(entry.name, message.value));
    } catch (err) {
      entry.reject(toApiError(err)); // a response that breaks the contract fails its call
    }
  }

  function receive(message: BridgeIncoming): void {
    if (message.type === 'result') return receiveResult(message);
    try {
      if (message.type === 'progress') {
        const entry = pending.get(message.id);
        entry?.onProgress?.(parseEvent('task:progress', message.payload));
      } else if (message.type === 'event') {
        if (!isEventName(message.name)) return; // an event this renderer version does not know
        const payload = parseEvent(message.name, message.payload);
        for (const listener of listeners.get(message.name) ?? []) (listener as (p: typeof payload) => void)(payload);
      }
    } catch (err) {
      reportProtocolError(toApiError(err));
    }
  }

  return {
    client: {
      call,
      on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
        let set = listeners.get(name);
        if (!set) listeners.set(name, (set = new Set()));
        set.add(listener as (payload: never) => void);
        return () => set.delete(listener as (payload: never) => void);
      },
    },
    receive,
    failPending(error: ApiError): void {
      for (const id of [...pending.keys()]) settle(id)?.reject(error);
    },
    pendingCount: () => pending.size,
  };
}
