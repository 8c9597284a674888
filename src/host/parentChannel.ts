/**
 * The worker side of the process boundary: serves handlers to the parent process, which is an
 * Electron main (`process.parentPort`, a global Electron adds to utility processes) or a Node
 * parent (`process.send` / 'message').
 */
import type { Handlers } from '../shared/api';
import type { WireMessage } from '../shared/wire';
import { serveContract, type WireChannel } from '../engine/api/dispatch';

/** The part of Electron's utility-process parentPort we use (declared here: host never imports electron). */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** A channel to whichever parent started this process; throws when there is none. */
export function parentChannel(): WireChannel {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message: WireMessage) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send) {
    // Without its parent the worker has no purpose; exiting avoids orphaned engines.
    process.on('disconnect', () => process.exit(0));
    return {
      send: (message: WireMessage) => {
        send(message);
      },
      onMessage: (listener) => process.on('message', listener),
    };
  }
  throw new Error('This is the TokenLab engine worker; it must be started by TokenLab (no parent process channel found).');
}

/**
 * Serves `handlers` to the parent and announces readiness with an `engine:status` ready event
 * (the host queues calls until then).
 */
export function runWorker(handlers: Handlers): void {
  const channel = parentChannel();
  serveContract(handlers, channel);
  channel.send({ type: 'event', name: 'engine:status', payload: { state: 'ready', restarts: 0 } });
}
