/**
 * The browser-mode transport: wire messages (encodeWire/decodeWire JSON) over a WebSocket to
 * `/api/ws` on the page's origin. The access token travels in the HttpOnly cookie the server
 * set when the page was opened with `?token=`, so this file never sees it.
 *
 * When the socket drops, every call in flight fails with ApiError('disconnected') — the server
 * forgets calls with their socket, so waiting would hang — and the client reconnects with
 * exponential backoff. Calls made while not connected wait for the next connection attempt
 * and fail if that attempt fails.
 */
import { ApiError } from '../../shared/errors';
import { decodeWire, encodeWire } from '../../shared/wire';
import type { BridgeIncoming, BridgeOutgoing } from '../../shared/bridge';
import { createRpcCore } from './rpc';
import type { ConnectionState, TokenlabClient } from './types';

/** Options of the WebSocket client; the defaults suit the renderer page. */
export interface WsClientOptions {
  /** ws:// or wss:// URL; default: `/api/ws` on the page's origin. */
  url?: string;
  /** WebSocket constructor (tests pass a fake). */
  WebSocketImpl?: typeof WebSocket;
  /** First reconnect delay; doubles per failed attempt up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** The `/api/ws` URL on the origin of `location` (ws: for http:, wss: for https:). */
export function defaultSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/ws`;
}

const OPEN = 1;

/** Builds the client and starts connecting at once. */
export function createWsClient(options: WsClientOptions = {}): TokenlabClient {
  const url = options.url ?? defaultSocketUrl(window.location);
  const Impl = options.WebSocketImpl ?? WebSocket;
  const initialDelay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;

  let socket: WebSocket | undefined;
  /** Calls made while not connected, sent on the next open. */
  let queue: { id: number; text: string }[] = [];
  /** Connection attempts that failed (or dropped) since the last successful open. */
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closedByUser = false;
  let state: ConnectionState = { state: 'connecting', attempt: 1 };
  const connectionListeners = new Set<(s: ConnectionState) => void>();

  function setState(next: ConnectionState): void {
    state = next;
    for (const l of connectionListeners) l(next);
  }

  const core = createRpcCore((message: BridgeOutgoing) => {
    const text = encodeWire(message);
    if (socket?.readyState === OPEN) socket.send(text);
    else if (message.type === 'call') queue.push({ id: message.id, text });
    // Cancelled before it was sent: never send it. (A call sent on a socket that has since
    // dropped needs no cancel either: the server dropped it with that socket.)
    else queue = queue.filter((q) => q.id !== message.id);
  });

  function connect(): void {
    setState({ state: 'connecting', attempt: failures + 1 });
    const ws = new Impl(url);
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      failures = 0;
      setState({ state: 'open' });
      const waiting = queue;
      queue = [];
      for (const { text } of waiting) ws.send(text);
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return; // the server speaks JSON text only
      let message: BridgeIncoming;
      try {
        message = decodeWire(event.data) as BridgeIncoming;
      } catch {
        console.error('[tokenlab] Dropped a malformed message from the server.');
        return;
      }
      core.receive(message);
    };
    ws.onclose = (event: CloseEvent) => {
      if (socket !== ws) return;
      socket = undefined;
      queue = [];
      const reason = opened
        ? `The connection to the TokenLab server at ${url} was lost${event.reason ? ` (${event.reason})` : ''}.`
        : `Could not connect to the TokenLab server at ${url}.`;
      core.failPending(
        new ApiError('disconnected', reason, {
          hint: 'Check that `tokenlab serve` is still running. If it was restarted, open the new URL it printed (it carries the access token).',
        }),
      );
      if (closedByUser) {
        setState({ state: 'closed', reason: 'Closed.' });
        return;
      }
      failures += 1;
      const delay = Math.min(maxDelay, initialDelay * 2 ** (failures - 1));
      setState({ state: 'closed', reason, retryInMs: delay });
      timer = setTimeout(connect, delay);
    };
  }

  connect();

  return {
    ...core.client,
    transport: 'websocket',
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    close() {
      closedByUser = true;
      if (timer) clearTimeout(timer);
      if (socket) socket.close();
      else setState({ state: 'closed', reason: 'Closed.' });
    },
  };
}
