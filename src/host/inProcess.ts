/**
 * An ApiClient that runs handlers in this process (the CLI's engine, and tests). It keeps the
 * contract's guarantees — requests and responses validated, cancellation via the signal — but
 * has no crash isolation: use EngineHost where a native crash must not take the caller down.
 */
import { parseRequest, parseResponse, type ApiClient, type CallContext, type Handlers } from '../shared/api';
import { ApiError } from '../shared/errors';

/** Wraps `handlers` as an ApiClient. It emits no events (there is no process to report on). */
export function inProcessClient(handlers: Handlers): ApiClient {
  return {
    async call(name, request, options = {}) {
      const valid = parseRequest(name, request);
      const signal = options.signal ?? new AbortController().signal;
      if (signal.aborted) throw new ApiError('cancelled', `${name} was cancelled before it started.`, { subject: name });
      const context: CallContext = { signal, progress: (payload) => options.onProgress?.(payload) };
      const handler = handlers[name] as (req: unknown, ctx: CallContext) => Promise<unknown>;
      const value = await handler(valid, context);
      if (signal.aborted) throw new ApiError('cancelled', `${name} was cancelled.`, { subject: name });
      return parseResponse(name, value);
    },
    on() {
      return () => {};
    },
  };
}
