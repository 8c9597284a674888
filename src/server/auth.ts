/**
 * Browser-mode access control. Every request must (1) carry a Host header naming this server
 * (DNS-rebinding defence), (2) come from this server's own origin when it has an Origin header
 * (cross-site requests and WebSocket hijacking), and (3) present the access token: the
 * `?token=` query, the HttpOnly cookie set from it, or `Authorization: Bearer`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

/** Why a request was refused, with the HTTP status to answer. */
export interface Refusal {
  status: 401 | 403;
  message: string;
  hint: string;
}

/** The checks of one server: its token, port and the host names it answers to. */
export interface AccessPolicy {
  token: string;
  /** Cookie carrying the token; includes the port because cookies are not port-isolated. */
  cookieName: string;
  /** Allowed `host:port` values of the Host header (lower case). */
  allowedHosts: Set<string>;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`.toLowerCase();
}

/**
 * The policy for a server bound to `bindHost:port`. Loopback names are always allowed; a
 * wildcard bind (0.0.0.0, ::) also allows this machine's interface addresses, nothing else.
 */
export function createPolicy(token: string, bindHost: string, port: number): AccessPolicy {
  const names = new Set(['127.0.0.1', 'localhost', '::1', bindHost]);
  if (bindHost === '0.0.0.0' || bindHost === '::') {
    for (const list of Object.values(networkInterfaces())) for (const addr of list ?? []) names.add(addr.address);
  }
  names.delete('0.0.0.0');
  names.delete('::');
  return { token, cookieName: `tokenlab_token_${port}`, allowedHosts: new Set([...names].map((n) => hostPort(n, port))) };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !out.has(name)) out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

/** The token a request presents, and where: query wins, then bearer, then cookie. */
export function presentedToken(req: IncomingMessage, url: URL, policy: AccessPolicy): { token?: string; via?: 'query' | 'bearer' | 'cookie' } {
  const query = url.searchParams.get('token');
  if (query) return { token: query, via: 'query' };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), via: 'bearer' };
  const cookie = parseCookies(req.headers.cookie).get(policy.cookieName);
  if (cookie) return { token: cookie, via: 'cookie' };
  return {};
}

const OPEN_URL_HINT = 'Open the URL that `tokenlab serve` (or `npm start`) printed; it carries ?token=…';

/**
 * Checks Host, Origin and token. Resolves to undefined when the request may proceed, with
 * `via` telling how the token came (a page load with `?token=` then gets the cookie).
 */
export function checkAccess(req: IncomingMessage, url: URL, policy: AccessPolicy): { refusal: Refusal } | { refusal?: undefined; via: 'query' | 'bearer' | 'cookie' } {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!policy.allowedHosts.has(host)) {
    return { refusal: { status: 403, message: `Host ${JSON.stringify(req.headers.host ?? '')} is not this TokenLab server.`, hint: `${OPEN_URL_HINT} (a different host name is refused to stop DNS-rebinding attacks).` } };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
    return { refusal: { status: 403, message: `Requests from origin ${origin} are not allowed.`, hint: 'Only pages served by this TokenLab server may call it.' } };
  }
  const { token, via } = presentedToken(req, url, policy);
  if (!token || !via) return { refusal: { status: 401, message: 'An access token is required.', hint: OPEN_URL_HINT } };
  if (!sameToken(token, policy.token)) return { refusal: { status: 401, message: 'The access token is wrong (the server may have been restarted with a new one).', hint: OPEN_URL_HINT } };
  return { via };
}

/** The Set-Cookie value that stores the token for later requests of this page. */
export function tokenCookie(policy: AccessPolicy): string {
  return `${policy.cookieName}=${encodeURIComponent(policy.token)}; HttpOnly; SameSite=Strict; Path=/`;
}
