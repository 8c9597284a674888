/**
 * The desktop transport: wire messages through the preload bridge (`window.tokenlab`, see
 * src/shared/bridge.ts). IPC delivers structured clones, so Uint8Array payloads pass as-is.
 * The bridge lives as long as the window, so the link is always 'open'; an engine crash
 * arrives as an `engine:status` event and as errors on the calls in flight, sent by main.
 */
import type { TokenlabBridge } from '../../shared/bridge';
import { createRpcCore } from './rpc';
import type { ConnectionState, TokenlabClient } from './types';

/** Builds the client over the preload bridge. */
export function createIpcClient(bridge: TokenlabBridge): TokenlabClient {
  const core = createRpcCore((message) => bridge.send(message));
  const unsubscribe = bridge.onMessage((message) => core.receive(message));
  return {
    ...core.client,
    transport: 'ipc',
    onConnection(listener: (state: ConnectionState) => void) {
      listener({ state: 'open' });
      return () => {};
    },
    close() {
      unsubscribe();
    },
  };
}
