/** What the renderer's client adds to the contract's ApiClient: which transport, and its link state. */
import type { ApiClient } from '../../shared/api';

/** State of the link to the engine host. IPC is always 'open'; the WebSocket may drop and retry. */
export type ConnectionState =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'closed'; reason: string; retryInMs?: number };

/** The one client the UI uses; it never needs to know the transport, but may show the link state. */
export interface TokenlabClient extends ApiClient {
  readonly transport: 'ipc' | 'websocket';
  /** Current link state, then every change; returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Stops the transport (tests, page unload); calls in flight fail. */
  close(): void;
}
