/**
 * The surface the Electron preload exposes to the renderer as `window.tokenlab` (contextBridge).
 * It is the ONLY thing the desktop renderer can reach; the renderer's IPC transport builds an
 * ApiClient on top of it, exactly as the browser transport builds one on a WebSocket.
 *
 * Messages are the wire messages of ./wire.ts, passed as structured-cloneable objects
 * (Uint8Array payloads travel as-is through IPC; no JSON codec is needed here).
 *
 * Protocol (same as the WebSocket):
 * - renderer → engine: `send({ type: 'call', id, name, payload })`, `send({ type: 'cancel', id })`;
 *   `id` is chosen by the renderer and unique per window.
 * - engine → renderer (via `onMessage`): `result` and `progress` for the renderer's calls, and
 *   `event` messages (`engine:status`, `task:progress`) broadcast to every window.
 * Main validates every call with the contract; a malformed message is answered with a `result`
 * carrying an `invalid-input` error when it has a usable id, and dropped otherwise.
 */
import type { CallMessage, CancelMessage, EventMessage, ProgressMessage, ResultMessage } from './wire';

/** Messages the renderer may send. */
export type BridgeOutgoing = CallMessage | CancelMessage;
/** Messages the renderer receives. */
export type BridgeIncoming = ResultMessage | ProgressMessage | EventMessage;

/** Options of the native open-file dialog (desktop only). */
export interface OpenFilesOptions {
  /** Dialog title. */
  title?: string;
  /** Allow picking several files (default true). */
  multiple?: boolean;
  /** Restrict to these extensions, without dots, e.g. ['png', 'jpg']; omit for all files. */
  extensions?: string[];
}

/** `window.tokenlab` in the desktop app; absent in browser mode. */
export interface TokenlabBridge {
  /** Sends a call or a cancel to the engine (fire-and-forget; the answer arrives via onMessage). */
  send(message: BridgeOutgoing): void;
  /** Subscribes to every message from the engine; returns the unsubscribe function. */
  onMessage(listener: (message: BridgeIncoming) => void): () => void;
  /**
   * Opens the native file dialog and resolves to the absolute paths chosen ([] when cancelled).
   * Import them with the `media:importPath` call. Desktop only: browser mode uses <input type=file>
   * and `media:import` with the bytes, because the server's disk is not the user's.
   */
  openFiles(options?: OpenFilesOptions): Promise<string[]>;
}

/** The global name the preload exposes the bridge under (`window.tokenlab`). */
export const BRIDGE_GLOBAL = 'tokenlab';

/** IPC channel names shared by main and preload (never seen by the renderer). */
export const IPC_CHANNELS = {
  /** renderer → main: one BridgeOutgoing message (ipcRenderer.send). */
  toEngine: 'tokenlab:to-engine',
  /** main → renderer: one BridgeIncoming message (webContents.send). */
  fromEngine: 'tokenlab:from-engine',
  /** renderer → main, invoke: OpenFilesOptions → string[]. */
  openFiles: 'tokenlab:open-files',
} as const;
