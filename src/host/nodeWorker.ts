/**
 * Starts the engine worker as a Node child process (browser mode, CLI, tests). From TypeScript
 * sources the child runs through tsx; from a build it runs the built JavaScript directly.
 * Messages use Node's 'advanced' serialization (structured clone), so Uint8Array payloads
 * cross the process boundary without base64.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WireMessage } from '../shared/wire';
import type { WorkerExit, WorkerHandle, WorkerSpawner } from './worker';

/** Options of the Node worker spawner. */
export interface NodeWorkerOptions {
  /** The worker's main module (.ts runs through tsx); defaults to workerEntry next to this file. */
  entry?: string;
  /** Extra environment for the worker (merged over process.env). */
  env?: Record<string, string>;
  /** Grace period between SIGTERM and SIGKILL on kill() (default 3 s). */
  killGraceMs?: number;
}

/** The default worker entry: workerEntry.ts from sources, workerEntry.js when built. */
export function defaultWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const ext = here.endsWith('.ts') ? '.ts' : '.js';
  return join(dirname(here), `workerEntry${ext}`);
}

function execArgvFor(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [];
  // Resolve tsx from TokenLab's own node_modules, so the worker starts whatever the cwd is.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx];
}

function wrap(child: ChildProcess, killGraceMs: number): WorkerHandle {
  const exitListeners: Array<(exit: WorkerExit) => void> = [];
  let exit: WorkerExit | undefined;
  const finish = (value: WorkerExit): void => {
    if (exit) return;
    exit = value;
    for (const listener of exitListeners.splice(0)) listener(value);
  };
  child.on('exit', (code, signal) => finish({ code, signal }));
  child.on('error', (err) => {
    // 'error' covers a failed spawn (no 'exit' follows) and failed sends (the exit follows).
    if (child.pid === undefined) finish({ code: null, signal: null, reason: `failed to start: ${err.message}` });
  });
  return {
    send(message: WireMessage) {
      if (exit || !child.connected) throw new Error('the engine worker is not connected');
      child.send(message, (err) => {
        if (err) process.stderr.write(`tokenlab: sending to the engine failed: ${err.message}\n`);
      });
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      if (exit) listener(exit);
      else exitListeners.push(listener);
    },
    kill() {
      if (exit) return;
      child.kill('SIGTERM');
      setTimeout(() => {
        if (!exit) child.kill('SIGKILL');
      }, killGraceMs).unref();
    },
  };
}

/** A WorkerSpawner that forks `entry` as a Node child process with an IPC channel. */
export function nodeWorkerSpawner(options: NodeWorkerOptions = {}): WorkerSpawner {
  const entry = options.entry ?? defaultWorkerEntry();
  return {
    spawn() {
      if (!existsSync(entry)) throw new Error(`the engine worker entry ${entry} does not exist (run \`npm run build\`?)`);
      const child = fork(entry, [], {
        execArgv: execArgvFor(entry),
        serialization: 'advanced',
        // The worker's stdout goes to our stderr: `tokenlab serve` owns stdout for its one URL line.
        stdio: ['ignore', 2, 2, 'ipc'],
        env: { ...process.env, ...options.env },
      });
      return wrap(child, options.killGraceMs ?? 3000);
    },
  };
}
