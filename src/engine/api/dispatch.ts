/**
 * Serves the contract (src/shared/api.ts) over any message channel: a worker's parent port, a
 * WebSocket, an Electron IPC pipe. One `serveContract` per connection.
 *
 * Guarantees: every request is validated with `parseRequest` before a handler sees it; a bad
 * message never throws out of here (it is answered with an `invalid-input` error, or dropped
 * when it has no usable id); a `cancel` aborts the handler's AbortSignal and answers the call
 * with a `cancelled` error; closing the connection aborts everything still running.
 */
import { events, isCallName, parseEvent, parseRequest, type CallContext, type CallName, type EventName, type EventPayload, type Handlers } from '../../shared/api';
import { ApiError, toApiError } from '../../shared/errors';
import type { WireMessage } from '../../shared/wire';

/** A bidirectional message pipe. `onMessage` gets raw, untrusted values. */
export interface WireChannel {
  send(message: WireMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** What `serveContract` hands back to its owner. */
export interface ServedContract {
  /** Sends an engine-wide event to this connection (validated against the contract first). */
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void;
  /** Aborts every call still running (their results are not sent). */
  close(): void;
  /** Ids of the calls currently running, for diagnostics and tests. */
  inFlight(): number[];
}

/** Options of `serveContract`. */
export interface ServeOptions {
  /** Where unexpected (internal) errors are logged with their stack; defaults to console.error. */
  logError?: (message: string, err: unknown) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCallId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Serves `handlers` over `channel` until `close()` is called. Calls run concurrently; results
 * are sent in completion order, each tagged with the caller's id.
 */
export function serveContract(handlers: Handlers, channel: WireChannel, options: ServeOptions = {}): ServedContract {
  const running = new Map<number, AbortController>();
  const logError = options.logError ?? ((message, err) => console.error(message, err));
  let closed = false;

  const send = (message: WireMessage): void => {
    if (closed) return;
    try {
      channel.send(message);
    } catch (err) {
      // The peer is gone or the message cannot be serialised; the call itself must not crash.
      logError(`tokenlab: could not send a ${message.type} message`, err);
    }
  };
  const fail = (id: number, error: ApiError): void => send({ type: 'result', id, ok: false, error: error.toShape() });

  async function run(id: number, name: CallName, payload: unknown, controller: AbortController): Promise<void> {
    const context: CallContext = {
      signal: controller.signal,
      progress(progress) {
        // A handler reporting malformed progress is a bug; throwing makes it visible in its result.
        const valid = parseEvent('task:progress', progress);
        if (!controller.signal.aborted) send({ type: 'progress', id, payload: valid });
      },
    };
    try {
      const request = parseRequest(name, payload);
      const handler = handlers[name] as (req: unknown, ctx: CallContext) => Promise<unknown>;
      const value = await handler(request, context);
      if (controller.signal.aborted) return; // already answered with 'cancelled'
      send({ type: 'result', id, ok: true, value });
    } catch (err) {
      if (controller.signal.aborted) return;
      const error = toApiError(err);
      if (error.code === 'internal') logError(`tokenlab: ${name} failed unexpectedly`, err);
      fail(id, error);
    } finally {
      if (running.get(id) === controller) running.delete(id);
    }
  }

  channel.onMessage((raw) => {
    if (closed) return;
    if (!isObject(raw) || !isCallId(raw.id)) {
      logError('tokenlab: dropped a message without a usable id', raw);
      return;
    }
    const id = raw.id;
    if (raw.type === 'cancel') {
      const controller = running.get(id);
      if (!controller) return; // already finished: nothing to cancel
      running.delete(id);
      controller.abort(new ApiError('cancelled', 'The call was cancelled.'));
      fail(id, new ApiError('cancelled', 'The call was cancelled.', { subject: String(id) }));
      return;
    }
    if (raw.type !== 'call') {
      fail(id, new ApiError('invalid-input', `Unknown message type ${JSON.stringify(raw.type)}; expected 'call' or 'cancel'.`));
      return;
    }
    if (!isCallName(raw.name)) {
      fail(id, new ApiError('invalid-input', `Unknown call ${JSON.stringify(raw.name)}.`, { hint: 'The client and the engine may be different versions; reload the app.', subject: String(raw.name) }));
      return;
    }
    if (running.has(id)) {
      fail(id, new ApiError('invalid-input', `Call id ${id} is already in use by a running call.`, { hint: 'Use a fresh id for every call.' }));
      return;
    }
    const controller = new AbortController();
    running.set(id, controller);
    void run(id, raw.name, raw.payload, controller);
  });

  return {
    emit(name, payload) {
      const valid = parseEvent(name, payload);
      send({ type: 'event', name, payload: valid });
    },
    close() {
      closed = true;
      for (const controller of running.values()) controller.abort(new ApiError('cancelled', 'The connection closed.'));
      running.clear();
    },
    inFlight: () => [...running.keys()],
  };
}

/** Every event name, for hosts that forward all of them. */
export const eventNames = Object.keys(events) as EventName[];
