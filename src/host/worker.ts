/**
 * The process boundary between a host and its engine worker, independent of how the worker is
 * started (Electron utilityProcess in the desktop app, a Node child process in browser mode).
 */
import type { WireMessage } from '../shared/wire';

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** Why, when known beyond the code (e.g. "failed to start: ENOENT"). */
  reason?: string;
}

/** One running worker process. */
export interface WorkerHandle {
  /** Posts a message; throws or drops silently when the process is gone (the exit handler reports it). */
  send(message: WireMessage): void;
  /** Raw, untrusted messages from the worker. */
  onMessage(listener: (message: unknown) => void): void;
  /** Called exactly once when the process ends or fails to start. */
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Asks the process to end (escalating to a hard kill if it does not). */
  kill(): void;
}

/** Starts engine workers; the host calls it again after a crash. */
export interface WorkerSpawner {
  spawn(): WorkerHandle;
}

/** "exit code 3", "signal SIGKILL", … for messages a user reads. */
export function describeExit(exit: WorkerExit): string {
  const parts: string[] = [];
  if (exit.signal) parts.push(`signal ${exit.signal}`);
  else if (exit.code !== null) parts.push(`exit code ${exit.code}`);
  if (exit.reason) parts.push(exit.reason);
  return parts.join(', ') || 'unknown cause';
}
