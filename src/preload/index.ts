/**
 * The preload: exposes exactly the TokenlabBridge (src/shared/bridge.ts) as `window.tokenlab`,
 * and nothing else — no ipcRenderer, no event objects, no Node. Runs sandboxed, built as CJS.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, IPC_CHANNELS, type BridgeIncoming, type BridgeOutgoing, type OpenFilesOptions, type TokenlabBridge } from '../shared/bridge';

const bridge: TokenlabBridge = {
  send(message: BridgeOutgoing) {
    ipcRenderer.send(IPC_CHANNELS.toEngine, message);
  },
  onMessage(listener: (message: BridgeIncoming) => void) {
    // Wrap so the renderer never receives the IpcRendererEvent (it exposes `sender`).
    const handler = (_event: IpcRendererEvent, message: BridgeIncoming): void => listener(message);
    ipcRenderer.on(IPC_CHANNELS.fromEngine, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.fromEngine, handler);
    };
  },
  openFiles(options?: OpenFilesOptions) {
    return ipcRenderer.invoke(IPC_CHANNELS.openFiles, options ?? {}) as Promise<string[]>;
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
