import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Wiring test of src/main/index.ts against a fake Electron: what it creates, loads and registers.
const seen = vi.hoisted(() => ({
  calls: [] as string[],
  windowOptions: undefined as undefined | { webPreferences: { preload: string; sandbox: boolean } },
  loadedFile: '',
  forked: '',
  ipcChannels: [] as string[],
  appListeners: new Map<string, () => void>(),
  ready: undefined as undefined | (() => void),
}));

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class Contents extends EventEmitter {
    session = { setPermissionRequestHandler: () => {}, webRequest: { onHeadersReceived: () => {} } };
    mainFrame = {};
    setWindowOpenHandler() {}
    isDestroyed() {
      return false;
    }
    send() {}
  }
  class BrowserWindow extends EventEmitter {
    webContents = new Contents();
    constructor(options: typeof seen.windowOptions) {
      super();
      seen.windowOptions = options;
    }
    async loadFile(file: string) {
      seen.loadedFile = file;
    }
    async loadURL() {}
    show() {}
  }
  class Child extends EventEmitter {
    postMessage() {}
    kill() {
      this.emit('exit', 0);
    }
  }
  const ipcMain = Object.assign(new EventEmitter(), {
    handle: (channel: string) => seen.ipcChannels.push(channel),
    removeHandler: () => {},
  });
  ipcMain.on('newListener', (channel: string) => seen.ipcChannels.push(channel));
  return {
    app: {
      enableSandbox: () => seen.calls.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      on: (event: string, listener: () => void) => seen.appListeners.set(event, listener),
      whenReady: () => new Promise<void>((resolve) => (seen.ready = resolve)),
      quit: () => seen.calls.push('quit'),
    },
    BrowserWindow,
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    ipcMain,
    shell: { openExternal: async () => {} },
    utilityProcess: {
      fork: (entry: string) => {
        seen.forked = entry;
        return new Child();
      },
    },
  };
});

describe('Electron main wiring', () => {
  it('sandboxes before ready, then creates the window, the engine worker and the IPC routes', async () => {
    await import('../../src/main/index');
    expect(seen.calls).toEqual(['enableSandbox']);
    seen.ready?.();
    await vi.waitFor(() => expect(seen.loadedFile).not.toBe(''));
    const mainDir = join(import.meta.dirname, '..', '..', 'src', 'main');
    // Built layout: out/main/{index,worker}.js, out/preload/index.cjs, out/renderer/index.html.
    expect(seen.forked).toBe(join(mainDir, 'worker.js'));
    expect(seen.windowOptions?.webPreferences.preload).toBe(join(dirname(mainDir), 'preload', 'index.cjs'));
    expect(seen.windowOptions?.webPreferences.sandbox).toBe(true);
    expect(seen.loadedFile).toBe(join(dirname(mainDir), 'renderer', 'index.html'));
    expect(seen.ipcChannels).toEqual(expect.arrayContaining(['tokenlab:to-engine', 'tokenlab:open-files']));
  });

  it('stops the engine and quits when the window closes', async () => {
    seen.appListeners.get('window-all-closed')?.();
    await vi.waitFor(() => expect(seen.calls).toContain('quit'));
  });
});
