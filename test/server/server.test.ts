import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src/server/index';
import { inProcessClient } from '../../src/host/inProcess';
import { createEngineHandlers } from '../../src/engine/api/index';
import { decodeWire, encodeWire, type WireMessage } from '../../src/shared/wire';
import { openSocket, raw } from './helpers';

let server: RunningServer;
let rendererDir: string;
const TOKEN = 'test-token-0123456789abcdef';

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'tokenlab-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>TokenLab test page</title>');
  writeFileSync(join(rendererDir, 'app.js'), 'console.log(1)');
  server = await startServer({ token: TOKEN, rendererDir, engine: inProcessClient(createEngineHandlers()), maxMessageBytes: 64 * 1024 });
});

afterAll(async () => {
  await server?.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

const cookie = (): string => `tokenlab_token_${server.port}=${TOKEN}`;

describe('browser-mode server: HTTP access', () => {
  it('prints a loopback URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('answers 401 without a token and with a wrong one', async () => {
    expect((await raw(server.port, { path: '/' })).status).toBe(401);
    expect((await raw(server.port, { path: '/?token=wrong' })).status).toBe(401);
    expect((await raw(server.port, { path: '/', headers: { Cookie: `tokenlab_token_${server.port}=wrong` } })).status).toBe(401);
    const api = await raw(server.port, { method: 'POST', path: '/api/call/media:list', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' }, body: '{}' });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body).error.hint).toMatch(/token/);
  });

  it('trades ?token= for an HttpOnly SameSite=Strict cookie and serves the page with a strict CSP', async () => {
    const first = await raw(server.port, { path: `/?token=${TOKEN}` });
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toContain(cookie());
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    const page = await raw(server.port, { path: '/', headers: { Cookie: cookie() } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('TokenLab test page');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect((await raw(server.port, { path: '/app.js', headers: { Cookie: cookie() } })).headers['content-type']).toMatch(/javascript/);
  });

  it('answers 403 to a foreign Origin even with the right token, and accepts its own origin', async () => {
    const foreign = await raw(server.port, { path: '/', headers: { Cookie: cookie(), Origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const other = await raw(server.port, { path: '/', headers: { Cookie: cookie(), Origin: `http://127.0.0.1:${server.port + 1}` } });
    expect(other.status).toBe(403);
    const own = await raw(server.port, { path: '/', headers: { Cookie: cookie(), Origin: `http://127.0.0.1:${server.port}` } });
    expect(own.status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await raw(server.port, { path: '/', headers: { Host: `evil.example:${server.port}`, Cookie: cookie() } });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/DNS-rebinding/);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/%2e%2e/%2e%2e/package.json', '/..%2fpackage.json', '/missing.js']) {
      expect((await raw(server.port, { path, headers: { Cookie: cookie() } })).status).toBe(404);
    }
  });

  it('serves POST /api/call/<name> with validation and size limits', async () => {
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` };
    const ok = await raw(server.port, { method: 'POST', path: '/api/call/media:list', headers, body: '{}' });
    expect(ok.status).toBe(200);
    expect(decodeWire(ok.body)).toEqual({ type: 'result', id: 0, ok: true, value: [] });
    const bad = await raw(server.port, { method: 'POST', path: '/api/call/media:remove', headers, body: '{"id":""}' });
    expect(bad.status).toBe(400);
    expect((await raw(server.port, { method: 'POST', path: '/api/call/nope', headers, body: '{}' })).status).toBe(404);
    expect((await raw(server.port, { method: 'POST', path: '/api/call/media:list', headers, body: '{not json' })).status).toBe(400);
    const huge = await raw(server.port, { method: 'POST', path: '/api/call/media:import', headers, body: encodeWire({ type: 'call', id: 1, name: 'x', payload: new Uint8Array(100 * 1024) }) });
    expect(JSON.parse(huge.body).error.message).toMatch(/larger than the limit/);
    expect(huge.status).toBe(413);
  });
});

describe('browser-mode server: WebSocket', () => {
  const wsUrl = (): string => `ws://127.0.0.1:${server.port}/api/ws`;

  it('refuses upgrades without the token (401) and from a foreign origin (403)', async () => {
    expect((await openSocket(wsUrl())).status).toBe(401);
    expect((await openSocket(`${wsUrl()}?token=wrong`)).status).toBe(401);
    expect((await openSocket(wsUrl(), { Cookie: cookie(), Origin: 'http://evil.example' })).status).toBe(403);
    expect((await openSocket(`ws://127.0.0.1:${server.port}/other`, { Cookie: cookie() })).status).toBe(404);
  });

  it('serves the contract over wire messages with the cookie from the page', async () => {
    const { ws } = await openSocket(wsUrl(), { Cookie: cookie(), Origin: `http://127.0.0.1:${server.port}` });
    expect(ws).toBeDefined();
    const socket = ws as WebSocket;
    const received: WireMessage[] = [];
    socket.on('message', (data) => received.push(decodeWire(String(data))));
    const waitFor = async (id: number): Promise<WireMessage> => {
      for (let i = 0; i < 200; i++) {
        const found = received.find((m) => m.type === 'result' && m.id === id);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no result for ${id}`);
    };
    socket.send(encodeWire({ type: 'call', id: 1, name: 'media:list', payload: {} }));
    socket.send(encodeWire({ type: 'call', id: 2, name: 'media:remove', payload: { id: 3 } }));
    expect(await waitFor(1)).toEqual({ type: 'result', id: 1, ok: true, value: [] });
    expect(await waitFor(2)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    socket.close();
  });
});

describe('browser-mode server: setup errors', () => {
  it('explains a missing renderer build with 503', async () => {
    const s = await startServer({ token: TOKEN, rendererDir: join(rendererDir, 'nope'), engine: inProcessClient(createEngineHandlers()) });
    try {
      const res = await raw(s.port, { path: '/', headers: { Cookie: `tokenlab_token_${s.port}=${TOKEN}` } });
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build');
    } finally {
      await s.close();
    }
  });

  it('explains a port that is taken', async () => {
    await expect(startServer({ port: server.port, engine: inProcessClient(createEngineHandlers()) })).rejects.toThrow(/already in use.*--port/);
  });
});
