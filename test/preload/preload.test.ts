import { describe, expect, it, vi } from 'vitest';

const recorded = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  sent: [] as unknown[][],
  invoked: [] as unknown[][],
  listeners: new Map<string, Array<(...a: unknown[]) => void>>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => recorded.exposed.set(key, api) },
  ipcRenderer: {
    send: (...args: unknown[]) => recorded.sent.push(args),
    invoke: async (...args: unknown[]) => (recorded.invoked.push(args), ['/a.png']),
    on: (channel: string, fn: (...a: unknown[]) => void) => recorded.listeners.set(channel, [...(recorded.listeners.get(channel) ?? []), fn]),
    removeListener: (channel: string, fn: (...a: unknown[]) => void) => recorded.listeners.set(channel, (recorded.listeners.get(channel) ?? []).filter((f) => f !== fn)),
  },
}));

await import('../../src/preload/index');
const { IPC_CHANNELS } = await import('../../src/shared/bridge');

describe('preload bridge', () => {
  it('exposes only window.tokenlab with send, onMessage and openFiles', () => {
    expect([...recorded.exposed.keys()]).toEqual(['tokenlab']);
    expect(Object.keys(recorded.exposed.get('tokenlab') as object).sort()).toEqual(['onMessage', 'openFiles', 'send']);
  });

  it('routes messages over the shared channels and never leaks the IPC event', async () => {
    const bridge = recorded.exposed.get('tokenlab') as import('../../src/shared/bridge').TokenlabBridge;
    bridge.send({ type: 'call', id: 1, name: 'media:list', payload: {} });
    expect(recorded.sent).toEqual([[IPC_CHANNELS.toEngine, { type: 'call', id: 1, name: 'media:list', payload: {} }]]);
    const got: unknown[][] = [];
    const off = bridge.onMessage((...args: unknown[]) => got.push(args));
    const fire = (m: unknown) => (recorded.listeners.get(IPC_CHANNELS.fromEngine) ?? []).forEach((f) => f({ sender: 'secret' }, m));
    fire({ type: 'event', name: 'engine:status', payload: { state: 'ready', restarts: 0 } });
    off();
    fire({ type: 'event', name: 'engine:status', payload: { state: 'crashed', restarts: 0 } });
    expect(got).toEqual([[{ type: 'event', name: 'engine:status', payload: { state: 'ready', restarts: 0 } }]]);
    await expect(bridge.openFiles()).resolves.toEqual(['/a.png']);
    expect(recorded.invoked).toEqual([[IPC_CHANNELS.openFiles, {}]]);
  });
});
