/**
 * The renderer's one ApiClient. The desktop preload exposes `window.tokenlab`; browser mode
 * does not, so its absence selects the WebSocket transport. Components get the client from
 * ClientContext and never know which transport carries their calls.
 */
import { BRIDGE_GLOBAL, type TokenlabBridge } from '../../shared/bridge';
import { createIpcClient } from './ipcTransport';
import { createWsClient } from './wsTransport';
import type { TokenlabClient } from './types';

export type { ConnectionState, TokenlabClient } from './types';

/** The preload bridge when running in the desktop app, else undefined. */
export function findBridge(scope: object = window): TokenlabBridge | undefined {
  const candidate = (scope as Record<string, unknown>)[BRIDGE_GLOBAL];
  return candidate && typeof candidate === 'object' ? (candidate as TokenlabBridge) : undefined;
}

/** IPC when the preload bridge exists, otherwise a WebSocket to this page's server. */
export function createClient(scope: object = window): TokenlabClient {
  const bridge = findBridge(scope);
  return bridge ? createIpcClient(bridge) : createWsClient();
}
