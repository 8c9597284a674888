/**
 * The desktop window's security settings, kept free of side effects so tests can check them
 * without an Electron runtime. The renderer gets no Node, runs sandboxed and isolated, may not
 * navigate or open windows, and every IPC message must come from our own page in our window.
 */
import type { BrowserWindowConstructorOptions, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';

/** The Content-Security-Policy of the desktop renderer (the page also carries it as a meta tag). */
export const DESKTOP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** BrowserWindow options: contextIsolation, sandbox, no nodeIntegration, webSecurity, our preload only. */
export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'TokenLab',
    backgroundColor: '#1b1d22',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  };
}

/** The URL without query and fragment, for comparing pages. */
export function pageOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '';
  }
}

/** True when `url` is the app's own page (same protocol, host and path; query/hash may differ). */
export function isAppUrl(url: string, appUrl: string): boolean {
  return pageOf(url) !== '' && pageOf(url) === pageOf(appUrl);
}

/**
 * True when an IPC message comes from the main frame of `contents` showing the app's page.
 * Anything else (another window, a subframe, a page the renderer was tricked into loading) is
 * refused.
 */
export function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent, contents: WebContents, appUrl: string): boolean {
  if (event.sender !== contents) return false;
  const frame = event.senderFrame;
  if (!frame || frame !== contents.mainFrame) return false;
  return isAppUrl(frame.url, appUrl);
}

/** Adds the CSP header to responses (dev-server/http pages; file:// pages use the meta tag). */
export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  out['Content-Security-Policy'] = [DESKTOP_CSP];
  return out;
}
