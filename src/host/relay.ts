/**
 * Turns an ApiClient (e.g. an EngineHost) back into Handlers, so a host can serve the contract
 * to its own clients (WebSocket, Electron IPC) with the same `serveContract` the worker uses:
 * one validation and cancellation path everywhere.
 */
import { calls, type ApiClient, type CallContext, type CallName, type Handlers } from '../shared/api';

/** Handlers that forward every call to `client`, passing the caller's signal and progress through. */
export function handlersFromClient(client: ApiClient): Handlers {
  const handlers: Partial<Record<CallName, (request: unknown, context: CallContext) => Promise<unknown>>> = {};
  for (const name of Object.keys(calls) as CallName[]) {
    handlers[name] = (request, context) =>
      client.call(name, request as never, { signal: context.signal, onProgress: (payload) => context.progress(payload) });
  }
  return handlers as Handlers;
}
