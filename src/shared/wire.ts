/**
 * The messages every transport (Electron IPC, worker port, WebSocket) carries, and a codec that
 * lets binary payloads (Uint8Array) travel through JSON-only channels.
 */
import type { ApiErrorShape } from './errors';

/** Caller → callee: run a call. `id` is unique per connection. */
export interface CallMessage {
  type: 'call';
  id: number;
  name: string;
  payload: unknown;
}
/** Caller → callee: stop the call with this id (its handler's AbortSignal fires). */
export interface CancelMessage {
  type: 'cancel';
  id: number;
}
/** Callee → caller: the outcome of a call. */
export type ResultMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiErrorShape };
/** Callee → caller: progress of a long call. */
export interface ProgressMessage {
  type: 'progress';
  id: number;
  payload: unknown;
}
/** Callee → every listener: an event not tied to one call. */
export interface EventMessage {
  type: 'event';
  name: string;
  payload: unknown;
}
export type WireMessage = CallMessage | CancelMessage | ResultMessage | ProgressMessage | EventMessage;

const BYTES_KEY = '$bytes';

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Serialises a wire message to JSON text; Uint8Arrays become `{"$bytes": base64}`.
 * `decodeWire(encodeWire(m))` deep-equals `m` for any JSON-compatible value with Uint8Arrays.
 */
export function encodeWire(message: WireMessage): string {
  return JSON.stringify(message, (_key, value: unknown) =>
    value instanceof Uint8Array ? { [BYTES_KEY]: toBase64(value) } : value,
  );
}

/** Parses JSON text made by `encodeWire`; throws SyntaxError on malformed text. */
export function decodeWire(text: string): WireMessage {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      const b = obj[BYTES_KEY];
      if (typeof b === 'string' && Object.keys(obj).length === 1) return fromBase64(b);
    }
    return value;
  }) as WireMessage;
}
