import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BridgeIncoming, BridgeOutgoing, TokenlabBridge } from '../../src/shared/bridge';
import { ApiError } from '../../src/shared/errors';
import { decodeWire, encodeWire, type CallMessage } from '../../src/shared/wire';
import type { MediaItem } from '../../src/shared/schemas/app';
import { createClient } from '../../src/renderer/client';
import { createWsClient } from '../../src/renderer/client/wsTransport';
import type { ConnectionState } from '../../src/renderer/client/types';

const item: MediaItem = { id: 'm1', name: 'a.png', kind: 'image', format: 'png', width: 4, height: 3, sizeBytes: 10, thumbnail: 'data:image/webp;base64,AA==' };

/** A preload bridge whose engine side the test drives by hand. */
function fakeBridge() {
  const sent: BridgeOutgoing[] = [];
  const listeners = new Set<(m: BridgeIncoming) => void>();
  const bridge: TokenlabBridge = {
    send: (m) => void sent.push(m),
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    openFiles: async () => [],
  };
  return { bridge, sent, deliver: (m: BridgeIncoming) => listeners.forEach((l) => l(m)) };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('client over the IPC bridge', () => {
  it('is chosen when window.tokenlab exists, and resolves validated results', async () => {
    const { bridge, sent, deliver } = fakeBridge();
    const client = createClient({ tokenlab: bridge });
    expect(client.transport).toBe('ipc');
    const data = new Uint8Array([1, 2, 3]);
    const done = client.call('media:import', { name: 'a.png', data });
    const msg = sent[0] as CallMessage;
    expect(msg).toMatchObject({ type: 'call', name: 'media:import', payload: { name: 'a.png', data } });
    deliver({ type: 'result', id: msg.id, ok: true, value: item });
    expect(await done).toEqual(item);
  });

  it('fails a call whose response breaks the contract, and rebuilds engine errors', async () => {
    const { bridge, sent, deliver } = fakeBridge();
    const client = createClient({ tokenlab: bridge });
    const bad = client.call('media:list', {});
    deliver({ type: 'result', id: (sent[0] as CallMessage).id, ok: true, value: [{ id: 'x' }] });
    const invalid = await rejection(bad);
    expect(invalid.code).toBe('internal');
    expect(invalid.message).toMatch(/^The engine sent an invalid response for media:list: 0\./);

    const refused = client.call('media:import', { name: 'n.png', data: new Uint8Array(1) });
    deliver({ type: 'result', id: (sent[1] as CallMessage).id, ok: false, error: { code: 'bad-media', message: '"n.png" is empty', hint: 'Pick another', subject: 'n.png' } });
    const err = await rejection(refused);
    expect(err.toShape()).toEqual({ code: 'bad-media', message: '"n.png" is empty', hint: 'Pick another', subject: 'n.png' });
  });

  it('routes progress to the call, sends a cancel when its signal fires, and ignores the late result', async () => {
    const { bridge, sent, deliver } = fakeBridge();
    const client = createClient({ tokenlab: bridge });
    const progress = vi.fn();
    const controller = new AbortController();
    const call = client.call('media:list', {}, { signal: controller.signal, onProgress: progress });
    const id = (sent[0] as CallMessage).id;
    deliver({ type: 'progress', id, payload: { phase: 'decode', done: 1, total: 2 } });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    deliver({ type: 'progress', id, payload: { phase: 'decode', done: -1 } }); // invalid: reported, dropped
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('Invalid task:progress event'));
    spy.mockRestore();
    expect(progress.mock.calls).toEqual([[{ phase: 'decode', done: 1, total: 2 }]]);
    controller.abort();
    expect(sent[1]).toEqual({ type: 'cancel', id });
    expect((await rejection(call)).code).toBe('cancelled');
    deliver({ type: 'result', id, ok: true, value: [] }); // must not throw or resolve anything
  });

  it('delivers only valid events to subscribers, until they unsubscribe', () => {
    const { bridge, deliver } = fakeBridge();
    const client = createClient({ tokenlab: bridge });
    const seen = vi.fn();
    const off = client.on('engine:status', seen);
    deliver({ type: 'event', name: 'engine:status', payload: { state: 'crashed', message: 'boom', restarts: 1 } });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    deliver({ type: 'event', name: 'engine:status', payload: { state: 'on fire', restarts: 1 } });
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('Invalid engine:status event'));
    spy.mockRestore();
    off();
    deliver({ type: 'event', name: 'engine:status', payload: { state: 'ready', restarts: 1 } });
    expect(seen.mock.calls).toEqual([[{ state: 'crashed', message: 'boom', restarts: 1 }]]);
  });
});

/** A WebSocket stand-in the test opens, feeds and drops by hand. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop(reason = '') {
    this.readyState = 3;
    this.onclose?.({ reason });
  }
  reply(message: BridgeIncoming) {
    this.onmessage?.({ data: encodeWire(message) });
  }
}

describe('client over the WebSocket', () => {
  afterEach(() => {
    FakeSocket.all = [];
    vi.useRealTimers();
  });
  const make = () => createWsClient({ url: 'ws://127.0.0.1:9/api/ws', WebSocketImpl: FakeSocket as unknown as typeof WebSocket, initialDelayMs: 100, maxDelayMs: 400 });

  it('queues calls until open, encodes bytes, and decodes results', async () => {
    const client = make();
    const data = new Uint8Array([9, 8, 7]);
    const call = client.call('media:import', { name: 'a.png', data });
    const ws = FakeSocket.all[0]!;
    expect(ws.sent).toEqual([]);
    ws.open();
    const msg = decodeWire(ws.sent[0]!) as CallMessage;
    expect(msg.payload).toEqual({ name: 'a.png', data });
    ws.reply({ type: 'result', id: msg.id, ok: true, value: item });
    expect(await call).toEqual(item);
  });

  it('fails calls in flight on disconnect, then reconnects with growing delays', async () => {
    vi.useFakeTimers();
    const client = make();
    const states: ConnectionState[] = [];
    client.onConnection((s) => states.push(s));
    FakeSocket.all[0]!.open();
    const call = client.call('media:list', {});
    FakeSocket.all[0]!.drop('server stopped');
    const err = await rejection(call);
    expect(err.code).toBe('disconnected');
    expect(err.message).toBe('The connection to the TokenLab server at ws://127.0.0.1:9/api/ws was lost (server stopped).');
    expect(err.hint).toMatch(/tokenlab serve/);

    vi.advanceTimersByTime(100);
    FakeSocket.all[1]!.drop(); // the retry fails too: the next delay doubles
    vi.advanceTimersByTime(199);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.open();
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
    expect(states.filter((s) => s.state === 'closed').map((s) => (s as { retryInMs: number }).retryInMs)).toEqual([100, 200]);
    client.close();
  });

  it('never sends a call cancelled while it was queued, and cancels a sent one', async () => {
    const client = make();
    const early = new AbortController();
    const queued = client.call('media:list', {}, { signal: early.signal });
    early.abort();
    expect((await rejection(queued)).code).toBe('cancelled');
    const ws = FakeSocket.all[0]!;
    ws.open();
    expect(ws.sent).toEqual([]);

    const later = new AbortController();
    const sentCall = client.call('media:list', {}, { signal: later.signal });
    const id = (decodeWire(ws.sent[0]!) as CallMessage).id;
    later.abort();
    expect(decodeWire(ws.sent[1]!)).toEqual({ type: 'cancel', id });
    expect((await rejection(sentCall)).code).toBe('cancelled');
    client.close();
  });
});
