import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { IpcMain, WebContents } from 'electron';

// ipc.ts imports only types from electron; the mock proves it needs no runtime.
vi.mock('electron', () => ({}));

const { registerIpc } = await import('../../src/main/ipc');
const { IPC_CHANNELS } = await import('../../src/shared/bridge');
const { inProcessClient } = await import('../../src/host/inProcess');
const { scriptedHandlers } = await import('../host/fixtures/handlers');

const appUrl = 'file:///opt/tokenlab/out/renderer/index.html';

function setup() {
  const ipcMain = new EventEmitter() as EventEmitter & { handlers: Map<string, (...a: unknown[]) => unknown> };
  ipcMain.handlers = new Map();
  const fakeIpc = Object.assign(ipcMain, {
    handle: (channel: string, fn: (...a: unknown[]) => unknown) => ipcMain.handlers.set(channel, fn),
    removeHandler: (channel: string) => ipcMain.handlers.delete(channel),
  });
  const mainFrame = { url: `${appUrl}#/` };
  const sent: unknown[] = [];
  const contents = Object.assign(new EventEmitter(), {
    mainFrame,
    isDestroyed: () => false,
    send: (channel: string, message: unknown) => channel === IPC_CHANNELS.fromEngine && sent.push(message),
  });
  const opened: unknown[] = [];
  const dispose = registerIpc({
    ipcMain: fakeIpc as unknown as IpcMain,
    contents: contents as unknown as WebContents,
    appUrl,
    engine: inProcessClient(scriptedHandlers()),
    openFiles: async (o) => (opened.push(o), ['/home/me/cat.png']),
    log: () => {},
  });
  const fromPage = (message: unknown, override: Partial<{ sender: unknown; senderFrame: unknown }> = {}) =>
    ipcMain.emit(IPC_CHANNELS.toEngine, { sender: contents, senderFrame: mainFrame, ...override }, message);
  const invokeOpen = (options: unknown, override: Partial<{ sender: unknown; senderFrame: unknown }> = {}) =>
    ipcMain.handlers.get(IPC_CHANNELS.openFiles)?.({ sender: contents, senderFrame: mainFrame, ...override }, options) as Promise<string[]>;
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { ipcMain, contents, mainFrame, sent, opened, dispose, fromPage, invokeOpen, settle };
}

describe('desktop IPC routing', () => {
  it('serves calls from the app page of our window', async () => {
    const t = setup();
    t.fromPage({ type: 'call', id: 1, name: 'media:list', payload: {} });
    await t.settle();
    expect(t.sent).toEqual([{ type: 'result', id: 1, ok: true, value: [] }]);
  });

  it('validates payloads and reports progress', async () => {
    const t = setup();
    t.fromPage({ type: 'call', id: 2, name: 'media:remove', payload: { id: 7 } });
    t.fromPage({ type: 'call', id: 3, name: 'media:remove', payload: { id: 'progress' } });
    await t.settle();
    expect(t.sent).toContainEqual(expect.objectContaining({ type: 'result', id: 2, ok: false, error: expect.objectContaining({ code: 'invalid-input' }) }));
    expect(t.sent.filter((m) => (m as { type: string }).type === 'progress')).toHaveLength(3);
  });

  it('ignores messages from another webContents, a subframe, or another page', async () => {
    const t = setup();
    const call = { type: 'call', id: 4, name: 'media:list', payload: {} };
    t.fromPage(call, { sender: new EventEmitter() });
    t.fromPage(call, { senderFrame: { url: appUrl } }); // not the main frame object
    t.mainFrame.url = 'https://evil.example/';
    t.fromPage(call);
    await t.settle();
    expect(t.sent).toEqual([]);
    await expect(t.invokeOpen({})).rejects.toThrow(/did not come from the TokenLab window/);
  });

  it('cancels a running call on request, and aborts the old page\'s calls on reload', async () => {
    const t = setup();
    t.fromPage({ type: 'call', id: 5, name: 'media:remove', payload: { id: 'hang' } });
    t.fromPage({ type: 'cancel', id: 5 });
    await t.settle();
    expect(t.sent).toEqual([expect.objectContaining({ type: 'result', id: 5, ok: false, error: expect.objectContaining({ code: 'cancelled' }) })]);
    t.sent.length = 0;
    t.fromPage({ type: 'call', id: 6, name: 'media:remove', payload: { id: 'hang' } });
    t.contents.emit('did-start-loading');
    t.fromPage({ type: 'call', id: 6, name: 'media:list', payload: {} }); // the new page reuses id 6
    await t.settle();
    expect(t.sent).toEqual([{ type: 'result', id: 6, ok: true, value: [] }]);
  });

  it('opens the native dialog with validated options only', async () => {
    const t = setup();
    await expect(t.invokeOpen({ multiple: false, extensions: ['png'] })).resolves.toEqual(['/home/me/cat.png']);
    expect(t.opened).toEqual([{ multiple: false, extensions: ['png'] }]);
    await expect(t.invokeOpen({ extensions: ['../../x'] })).rejects.toThrow(/invalid options/);
    await expect(t.invokeOpen({ defaultPath: '/etc' })).rejects.toThrow(/invalid options/);
  });

  it('removes its listeners when disposed', () => {
    const t = setup();
    t.dispose();
    expect(t.ipcMain.listenerCount(IPC_CHANNELS.toEngine)).toBe(0);
    expect(t.ipcMain.handlers.size).toBe(0);
  });
});
