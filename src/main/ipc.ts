/**
 * Routes the contract between the desktop renderer and the engine over Electron IPC (channel
 * names in src/shared/bridge.ts). Every message's sender is checked; every call is validated by
 * the same `serveContract` the worker and the server use; a page reload aborts the old page's
 * calls so their results never reach the new page.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { z } from 'zod';
import type { ApiClient } from '../shared/api';
import { IPC_CHANNELS, type OpenFilesOptions } from '../shared/bridge';
import { eventNames, serveContract, type ServedContract } from '../engine/api/dispatch';
import { handlersFromClient } from '../host/relay';
import { isTrustedSender } from './security';

/** Validates what the renderer passes to `openFiles` (it is untrusted input like any other). */
export const OpenFilesOptionsSchema = z
  .object({
    title: z.string().max(200).optional(),
    multiple: z.boolean().optional(),
    extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,10}$/)).max(50).optional(),
  })
  .strict();

/** What `registerIpc` needs; injected so it can be tested without Electron. */
export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'on' | 'removeListener' | 'handle' | 'removeHandler'>;
  /** The window's webContents: the only accepted sender. */
  contents: WebContents;
  /** The page the window shows; messages from any other page are refused. */
  appUrl: string;
  engine: ApiClient;
  /** Shows the native open dialog for the window. */
  openFiles(options: OpenFilesOptions): Promise<string[]>;
  log?: (line: string) => void;
}

/** Wires IPC for one window; returns a function that removes every listener. */
export function registerIpc(deps: IpcDeps): () => void {
  const { ipcMain, contents, appUrl, engine } = deps;
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let deliver: ((message: unknown) => void) | undefined;
  let served: ServedContract | undefined;

  const connect = (): void => {
    served?.close();
    served = serveContract(handlersFromClient(engine), {
      send: (message) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.fromEngine, message);
      },
      onMessage: (listener) => {
        deliver = listener;
      },
    });
  };
  connect();

  const onMessage = (event: IpcMainEvent, message: unknown): void => {
    if (!isTrustedSender(event, contents, appUrl)) {
      log(`tokenlab: refused an IPC message from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return;
    }
    deliver?.(message);
  };
  const onOpenFiles = async (event: IpcMainInvokeEvent, raw: unknown): Promise<string[]> => {
    if (!isTrustedSender(event, contents, appUrl)) throw new Error('openFiles refused: the request did not come from the TokenLab window.');
    const parsed = OpenFilesOptionsSchema.safeParse(raw ?? {});
    if (!parsed.success) throw new Error(`openFiles: invalid options (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}).`);
    return deps.openFiles(parsed.data);
  };
  // A new page load starts a new session: abort the previous page's calls, then greet the page.
  const onLoadStart = (): void => connect();
  const onLoaded = (): void => {
    const status = (engine as { status?: () => unknown }).status?.();
    if (status) served?.emit('engine:status', status as never);
  };
  const unsubscribe = eventNames.map((name) => engine.on(name, (payload) => served?.emit(name, payload as never)));

  ipcMain.on(IPC_CHANNELS.toEngine, onMessage);
  ipcMain.handle(IPC_CHANNELS.openFiles, onOpenFiles);
  contents.on('did-start-loading', onLoadStart);
  contents.on('did-finish-load', onLoaded);

  const dispose = (): void => {
    ipcMain.removeListener(IPC_CHANNELS.toEngine, onMessage);
    ipcMain.removeHandler(IPC_CHANNELS.openFiles);
    for (const u of unsubscribe) u();
    served?.close();
    served = undefined;
  };
  contents.once('destroyed', dispose);
  return dispose;
}
