/**
 * Electron main: one window, the engine in a utilityProcess, the contract routed over IPC.
 * Logic lives in testable modules (security.ts, window.ts, ipc.ts); this file only wires them.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { EngineHost } from '../host/engineHost';
import { registerIpc } from './ipc';
import { utilityWorkerSpawner } from './utilityWorker';
import { createMainWindow, openDialogOptions } from './window';

const here = dirname(fileURLToPath(import.meta.url));
const indexHtml = join(here, '..', 'renderer', 'index.html');
// `electron-vite dev` serves the renderer over http and passes its URL; a build loads the file.
const devUrl = process.env.ELECTRON_RENDERER_URL;
const appUrl = devUrl ?? pathToFileURL(indexHtml).href;

app.enableSandbox();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let engine: EngineHost | undefined;
  let win: BrowserWindow | undefined;

  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  app.on('window-all-closed', () => {
    void (engine?.close() ?? Promise.resolve()).finally(() => app.quit());
  });

  void app.whenReady().then(async () => {
    engine = new EngineHost({ spawner: utilityWorkerSpawner(join(here, 'worker.js')) });
    const window = createMainWindow({ preloadPath: join(here, '..', 'preload', 'index.cjs'), appUrl });
    win = window;
    registerIpc({
      ipcMain,
      contents: window.webContents,
      appUrl,
      engine,
      openFiles: async (options) => (await dialog.showOpenDialog(window, openDialogOptions(options))).filePaths,
    });
    await (devUrl ? window.loadURL(devUrl) : window.loadFile(indexHtml));
  });
}
