/**
 * Serves the built renderer (out/renderer) with a strict Content-Security-Policy. Only files
 * inside the renderer folder are reachable; unknown paths fall back to index.html (one page).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The CSP of every page: scripts and styles only from this origin (no inline code), images
 * also from data:/blob: (thumbnails), connections only back to this server.
 */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every response of the server carries. */
export function securityHeaders(host: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(host),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Resolves a URL path to a file inside `root`, or undefined (traversal, missing, a folder). */
export function resolveStatic(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = normalize(join(root, decoded));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Answers a GET/HEAD for the renderer; 503 with instructions when it has not been built. */
export function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL, root: string, extraHeaders: Record<string, string>): void {
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(503, { ...extraHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`The TokenLab UI is not built (no ${index}).\nRun \`npm run build\` in the TokenLab folder, then reload this page.\n`);
    return;
  }
  // Asset-looking paths that do not exist are 404s; anything else is a route of the one page.
  const file = resolveStatic(root, url.pathname) ?? (extname(url.pathname) ? undefined : index);
  if (!file) {
    res.writeHead(404, { ...extraHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Not found: ${url.pathname}\n`);
    return;
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...extraHeaders,
    'Content-Type': type,
    'Content-Length': statSync(file).size,
    // Built assets have content hashes in their names; the page itself must always be fresh.
    'Cache-Control': file === index ? 'no-store' : 'private, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
