/**
 * Creates the one TokenLab window with the settings of security.ts and the guards Electron's
 * security checklist asks for: no navigation away from the app, no new windows (https links
 * open in the user's browser), no webviews, no permission grants, CSP on every response.
 */
import { BrowserWindow, shell, type OpenDialogOptions } from 'electron';
import type { OpenFilesOptions } from '../shared/bridge';
import { isAppUrl, secureWindowOptions, withCsp } from './security';

/** Creates the window (hidden until its first paint). It does not load anything yet. */
export function createMainWindow(options: { preloadPath: string; appUrl: string }): BrowserWindow {
  const win = new BrowserWindow(secureWindowOptions(options.preloadPath));
  const contents = win.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    // Paper and code links may open in the user's browser; nothing opens inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const keepOnApp = (event: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url, options.appUrl)) event.preventDefault();
  };
  contents.on('will-navigate', keepOnApp);
  contents.on('will-redirect', keepOnApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders) }));
  win.once('ready-to-show', () => win.show());
  return win;
}

/** The native dialog options for the bridge's `openFiles` request. */
export function openDialogOptions(options: OpenFilesOptions): OpenDialogOptions {
  const properties: OpenDialogOptions['properties'] = ['openFile'];
  if (options.multiple !== false) properties.push('multiSelections');
  return {
    title: options.title ?? 'Import images or videos',
    properties,
    ...(options.extensions?.length ? { filters: [{ name: 'Media', extensions: options.extensions }, { name: 'All files', extensions: ['*'] }] } : {}),
  };
}
