import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// A BrowserWindow stand-in that records what main does to it.
const electron = vi.hoisted(() => {
  const state = { lastOptions: undefined as unknown, lastWindow: undefined as unknown, openExternal: [] as string[] };
  return { state };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeContents extends Emitter {
    windowOpenHandler?: (d: { url: string }) => { action: string };
    permissionHandler?: (c: unknown, p: string, cb: (ok: boolean) => void) => void;
    headersHandler?: (d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
    session = {
      setPermissionRequestHandler: (h: FakeContents['permissionHandler']) => (this.permissionHandler = h),
      webRequest: { onHeadersReceived: (h: FakeContents['headersHandler']) => (this.headersHandler = h) },
    };
    setWindowOpenHandler(h: FakeContents['windowOpenHandler']) {
      this.windowOpenHandler = h;
    }
  }
  class BrowserWindow extends Emitter {
    webContents = new FakeContents();
    constructor(options: unknown) {
      super();
      electron.state.lastOptions = options;
      electron.state.lastWindow = this;
    }
    show() {}
  }
  return {
    BrowserWindow,
    shell: { openExternal: async (url: string) => void electron.state.openExternal.push(url) },
  };
});

const { createMainWindow, openDialogOptions } = await import('../../src/main/window');
const { DESKTOP_CSP } = await import('../../src/main/security');

type Fake = EventEmitter & { webContents: EventEmitter & Record<string, (...a: never[]) => unknown> };
const appUrl = 'file:///opt/tokenlab/out/renderer/index.html';

function navigate(contents: EventEmitter, event: string, url: string): boolean {
  let prevented = false;
  contents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('desktop window security', () => {
  beforeEach(() => {
    electron.state.openExternal.length = 0;
  });

  it('creates the window sandboxed, isolated, without Node, with web security and our preload', () => {
    createMainWindow({ preloadPath: '/opt/tokenlab/out/preload/index.cjs', appUrl });
    const prefs = (electron.state.lastOptions as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
    expect(prefs.preload).toBe('/opt/tokenlab/out/preload/index.cjs');
  });

  it('blocks navigation away from the app page, redirects and webviews', () => {
    createMainWindow({ preloadPath: '/p.cjs', appUrl });
    const contents = (electron.state.lastWindow as Fake).webContents;
    expect(navigate(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(navigate(contents, 'will-navigate', `${appUrl}#/media`)).toBe(false);
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });

  it('denies every new window; only https links go to the system browser', () => {
    createMainWindow({ preloadPath: '/p.cjs', appUrl });
    const contents = (electron.state.lastWindow as Fake).webContents as unknown as { windowOpenHandler: (d: { url: string }) => { action: string } };
    expect(contents.windowOpenHandler({ url: 'https://arxiv.org/abs/2403.06764' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(electron.state.openExternal).toEqual(['https://arxiv.org/abs/2403.06764']);
  });

  it('refuses permission requests and puts the strict CSP on every response', () => {
    createMainWindow({ preloadPath: '/p.cjs', appUrl });
    const contents = (electron.state.lastWindow as Fake).webContents as unknown as {
      permissionHandler: (c: unknown, p: string, cb: (ok: boolean) => void) => void;
      headersHandler: (d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
    };
    let granted: boolean | undefined;
    contents.permissionHandler(undefined, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    let headers: Record<string, string[]> = {};
    contents.headersHandler({ responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [DESKTOP_CSP] });
    expect(DESKTOP_CSP).toContain("script-src 'self'");
    expect(DESKTOP_CSP).not.toContain('unsafe');
  });

  it('builds open-dialog options from the bridge request', () => {
    expect(openDialogOptions({})).toMatchObject({ properties: ['openFile', 'multiSelections'] });
    expect(openDialogOptions({ multiple: false, extensions: ['png'] })).toMatchObject({ properties: ['openFile'], filters: [{ name: 'Media', extensions: ['png'] }, { name: 'All files', extensions: ['*'] }] });
  });
});
