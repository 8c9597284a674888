/**
 * A TokenlabClient for component tests: each call is answered by a handler the test gives, and
 * the test can emit events and connection changes. It checks requests and responses against
 * the contract, as the real transports do, so a component cannot send what the engine refuses.
 */
import { parseRequest, parseResponse, type CallName, type CallOptions, type EventName, type EventPayload, type Req, type Res } from '../../src/shared/api';
import type { ConnectionState, TokenlabClient } from '../../src/renderer/client';
import { ApiError } from '../../src/shared/errors';

/** Handlers get the call's options too, so a test can report progress. */
export type FakeHandlers = { [K in CallName]?: (request: Req<K>, options?: CallOptions) => Promise<Res<K>> };

/** The fake plus what the test drives. */
export interface FakeClient extends TokenlabClient {
  calls: { name: CallName; request: unknown }[];
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void;
  setConnection(state: ConnectionState): void;
}

/** Builds a fake over `handlers`; a call without a handler rejects, naming the call. */
export function fakeClient(handlers: FakeHandlers, connection: ConnectionState = { state: 'open' }): FakeClient {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let current = connection;
  const calls: FakeClient['calls'] = [];
  return {
    transport: 'websocket',
    calls,
    async call<K extends CallName>(name: K, request: Req<K>, options?: CallOptions): Promise<Res<K>> {
      calls.push({ name, request });
      const handler = handlers[name] as ((r: Req<K>, o?: CallOptions) => Promise<Res<K>>) | undefined;
      if (!handler) throw new Error(`fakeClient: no handler for ${name}`);
      const answer = handler(parseRequest(name, request), options).then((r) => parseResponse(name, r));
      const signal = options?.signal;
      if (!signal) return answer;
      // As the real client does: cancelling rejects the call at once, whatever the handler does.
      return Promise.race([answer, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new ApiError('cancelled', `${name} was cancelled.`)), { once: true }))]);
    },
    on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(current);
      return () => connectionListeners.delete(listener);
    },
    close() {},
    emit(name, payload) {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
    setConnection(state) {
      current = state;
      for (const l of connectionListeners) l(state);
    },
  };
}
