/**
 * Browser mode: the TokenLab UI and contract served over HTTP + WebSocket, for GPU servers
 * reached over SSH and for headless testing. Same renderer bundle, same contract, engine in a
 * child process. Security model: loopback by default, a random token per start, Host and
 * Origin checks (see auth.ts), a strict CSP (see static.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { ApiClient } from '../shared/api';
import { MEDIA_LIMITS } from '../shared/schemas/app';
import { appRoot } from '../engine/api/appRoot';
import { EngineHost } from '../host/engineHost';
import { nodeWorkerSpawner } from '../host/nodeWorker';
import { checkAccess, createPolicy, tokenCookie, type Refusal } from './auth';
import { handleHttpCall, SocketHub } from './apiRoutes';
import { securityHeaders, serveStatic } from './static';

/** Options of `startServer`. */
export interface ServerOptions {
  /** 0 or omitted: a random free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (this machine only). */
  host?: string;
  /** Access token; default: 24 random bytes, base64url. */
  token?: string;
  /** Built renderer folder; default <TokenLab>/out/renderer. */
  rendererDir?: string;
  /** Engine client; default: an EngineHost running the engine in a Node child process (closed with the server). */
  engine?: ApiClient;
  /** Largest request body / WebSocket message in bytes; default fits MEDIA_LIMITS.maxFileBytes as base64. */
  maxMessageBytes?: number;
}

/** A running server. */
export interface RunningServer {
  /** The URL to open, with the token: http://HOST:PORT/?token=TOKEN */
  url: string;
  port: number;
  token: string;
  /** Closes sockets and the listener, and stops the engine if the server created it. */
  close(): Promise<void>;
}

/** Bytes of a base64-encoded media file of the maximum size, plus room for the JSON around it. */
const DEFAULT_MAX_MESSAGE = Math.ceil((MEDIA_LIMITS.maxFileBytes * 4) / 3) + 1024 * 1024;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function refuse(res: ServerResponse, refusal: Refusal, headers: Record<string, string>, json: boolean): void {
  const body = json ? JSON.stringify({ error: { code: 'unauthorized', message: refusal.message, hint: refusal.hint } }) : `${refusal.message}\n${refusal.hint}\n`;
  res.writeHead(refusal.status, { ...headers, 'Content-Type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Starts browser mode; resolves once listening. Rejects with an actionable message when the port is taken. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const bindHost = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  if (!token) throw new Error('The access token must not be empty.');
  const rendererDir = options.rendererDir ?? join(appRoot(), 'out', 'renderer');
  const ownsEngine = options.engine === undefined;
  const engine = options.engine ?? new EngineHost({ spawner: nodeWorkerSpawner() });
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  const hub = new SocketHub(engine);
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBytes });
  let policy = createPolicy(token, bindHost, options.port ?? 0);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = securityHeaders((req.headers.host ?? '').toLowerCase());
    const isApi = url.pathname.startsWith('/api/');
    const access = checkAccess(req, url, policy);
    if (access.refusal) return refuse(res, access.refusal, headers, isApi);
    if (isApi) {
      const name = url.pathname.startsWith('/api/call/') ? decodeURIComponent(url.pathname.slice('/api/call/'.length)) : '';
      if (!name) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`No API route ${url.pathname}; use POST /api/call/<name> or the WebSocket at /api/ws.\n`);
        return;
      }
      void handleHttpCall(req, res, name, engine, maxBytes, headers);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (access.via === 'query') {
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(302, { ...headers, 'Set-Cookie': tokenCookie(policy), Location: `${url.pathname}${url.search}`, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    serveStatic(req, res, url, rendererDir, headers);
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const access = url.pathname === '/api/ws' ? checkAccess(req, url, policy) : { refusal: { status: 404 as const, message: 'Not found', hint: '' } };
    if (access.refusal) {
      const text = access.refusal.status === 404 ? 'Not Found' : access.refusal.status === 401 ? 'Unauthorized' : 'Forbidden';
      socket.end(`HTTP/1.1 ${access.refusal.status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${access.refusal.message}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws));
  });
  server.requestTimeout = 0; // large imports over slow links; sockets still close on client disconnect

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = `${bindHost}:${options.port ?? 0}`;
      if (err.code === 'EADDRINUSE') reject(new Error(`Port ${options.port} on ${bindHost} is already in use. Pick another with --port, or omit --port for a random free one.`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new Error(`Cannot listen on ${where}: this machine has no such address. Use --host 127.0.0.1.`));
      else reject(new Error(`Cannot listen on ${where}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', onError);
      resolve();
    });
  }).catch(async (err: unknown) => {
    hub.close();
    if (ownsEngine) await (engine as EngineHost).close();
    throw err;
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  policy = createPolicy(token, bindHost, port);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(bindHost)}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        hub.close();
        const sockets = [...wss.clients];
        for (const ws of sockets) ws.close(1001, 'TokenLab is shutting down');
        // Give pages a moment for the close handshake, then cut whatever is left.
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearInterval(poll);
            clearTimeout(deadline);
            resolve();
          };
          const deadline = setTimeout(done, 1000);
          const poll = setInterval(() => {
            if (sockets.every((ws) => ws.readyState === ws.CLOSED)) done();
          }, 20);
        });
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((resolve) => {
          wss.close(() => resolve());
        });
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (ownsEngine) await (engine as EngineHost).close();
      })();
      return closing;
    },
  };
}
