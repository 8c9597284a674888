/**
 * The desktop app's engine worker: an Electron utilityProcess running out/main/worker.js.
 * A native crash there (onnxruntime, sharp) ends that process only; EngineHost restarts it.
 */
import { utilityProcess } from 'electron';
import type { WireMessage } from '../shared/wire';
import type { WorkerExit, WorkerHandle, WorkerSpawner } from '../host/worker';

/** A WorkerSpawner forking `entry` with utilityProcess (structured-clone messages). */
export function utilityWorkerSpawner(entry: string): WorkerSpawner {
  return {
    spawn(): WorkerHandle {
      const child = utilityProcess.fork(entry, [], { serviceName: 'TokenLab engine', stdio: 'inherit' });
      let exit: WorkerExit | undefined;
      const exitListeners: Array<(e: WorkerExit) => void> = [];
      let reason: string | undefined;
      child.on('error', (type, location) => {
        reason = `${type} at ${location}`; // a fatal V8 error; 'exit' follows
      });
      child.on('exit', (code) => {
        if (exit) return;
        exit = { code, signal: null, ...(reason ? { reason } : {}) };
        for (const l of exitListeners.splice(0)) l(exit);
      });
      return {
        send(message: WireMessage) {
          if (exit) throw new Error('the engine worker has exited');
          child.postMessage(message);
        },
        onMessage(listener) {
          child.on('message', listener);
        },
        onExit(listener) {
          if (exit) listener(exit);
          else exitListeners.push(listener);
        },
        kill() {
          if (!exit) child.kill();
        },
      };
    },
  };
}
