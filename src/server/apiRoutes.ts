/**
 * The contract over the network: a WebSocket at /api/ws speaking wire messages (encodeWire
 * JSON text), and `POST /api/call/<name>` for simple clients (curl, scripts). Both forward to
 * one engine client; both validate every payload on arrival.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { isCallName, parseRequest, type ApiClient } from '../shared/api';
import { ApiError, toApiError, type ErrorCode } from '../shared/errors';
import { decodeWire, encodeWire } from '../shared/wire';
import { eventNames, serveContract, type ServedContract } from '../engine/api/dispatch';
import { handlersFromClient } from '../host/relay';

/** Fans engine events out to every connected socket. */
export class SocketHub {
  private readonly served = new Set<ServedContract>();
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly engine: ApiClient) {
    this.unsubscribe = eventNames.map((name) =>
      engine.on(name, (payload) => {
        for (const s of this.served) s.emit(name, payload as never);
      }),
    );
  }

  /** Serves the contract on one accepted socket until it closes. */
  attach(ws: WebSocket): void {
    const served = serveContract(handlersFromClient(this.engine), {
      send: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
      },
      onMessage: (listener) =>
        ws.on('message', (data, isBinary) => {
          if (isBinary) {
            ws.close(1003, 'TokenLab speaks JSON text frames only');
            return;
          }
          try {
            listener(decodeWire(data.toString()));
          } catch {
            ws.close(1007, 'Malformed JSON');
          }
        }),
    });
    this.served.add(served);
    ws.on('close', () => {
      served.close(); // aborts this socket's calls: nobody is left to receive their results
      this.served.delete(served);
    });
    // A new page learns the engine's state at once instead of waiting for the next change.
    const status = (this.engine as { status?: () => unknown }).status?.();
    if (status) served.emit('engine:status', status as never);
  }

  /** Stops listening to the engine. */
  close(): void {
    for (const u of this.unsubscribe) u();
    for (const s of this.served) s.close();
    this.served.clear();
  }
}

const STATUS: Record<ErrorCode, number> = {
  'invalid-input': 400,
  'bad-media': 422,
  unsupported: 422,
  'not-found': 404,
  'model-error': 500,
  cancelled: 499,
  'engine-crashed': 503,
  disconnected: 503,
  unauthorized: 401,
  internal: 500,
};

/** Status code used for an error code (unknown future codes map to 500). */
export function httpStatusOf(code: string): number {
  return (STATUS as Record<string, number>)[code] ?? 500;
}

/** A body over the size limit (answered 413). */
class BodyTooLarge extends ApiError {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge('invalid-input', `The request body is larger than the limit of ${limit} bytes.`, { hint: 'Send smaller files; see MEDIA_LIMITS.' }));
        // Discard the rest instead of destroying the socket, so the client still reads the 413.
        req.off('data', onData);
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendResult(res: ServerResponse, headers: Record<string, string>, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...(status === 413 ? { Connection: 'close' } : {}) });
  res.end(body);
}

/**
 * `POST /api/call/<name>` with the request payload as the JSON body (Uint8Array as
 * `{"$bytes": base64}`); answers a wire `result` message. The call is cancelled if the client
 * disconnects first.
 */
export async function handleHttpCall(req: IncomingMessage, res: ServerResponse, name: string, engine: ApiClient, limit: number, headers: Record<string, string>): Promise<void> {
  const fail = (error: ApiError, status = httpStatusOf(error.code)): void =>
    sendResult(res, headers, status, encodeWire({ type: 'result', id: 0, ok: false, error: error.toShape() }));
  if (req.method !== 'POST') return fail(new ApiError('invalid-input', `Use POST for /api/call/${name}.`), 405);
  if (!isCallName(name)) return fail(new ApiError('not-found', `Unknown call ${JSON.stringify(name)}.`, { subject: name }));
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    return fail(new ApiError('invalid-input', 'The body must be JSON (Content-Type: application/json).'), 415);
  }
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  try {
    const text = await readBody(req, limit);
    let payload: unknown;
    try {
      payload = text.trim() ? (decodeWire(text) as unknown) : {};
    } catch {
      throw new ApiError('invalid-input', `The body of ${name} is not valid JSON.`, { subject: name });
    }
    const value = await engine.call(name, parseRequest(name, payload), { signal: controller.signal });
    sendResult(res, headers, 200, encodeWire({ type: 'result', id: 0, ok: true, value }));
  } catch (err) {
    const error = toApiError(err);
    if (err instanceof BodyTooLarge) return fail(error, 413);
    fail(error);
  }
}
