/**
 * The engine's state as the status line shows it: the link to the host (WebSocket or IPC) and
 * the engine process (`engine:status` events). A crash or restart also raises a notice, and
 * `onReady` runs whenever the link opens and when the engine is ready after a restart (its media
 * store then starts empty), so the caller can re-list.
 */
import { useEffect, useState } from 'react';
import type { EventPayload } from '../../shared/api';
import type { ConnectionState } from '../client';
import { useClient } from './client';
import type { NoticesApi } from './notices';

export interface EngineView {
  connection: ConnectionState;
  engine: EventPayload<'engine:status'> | null;
}

/** Subscribes to link and engine state for the lifetime of the component. */
export function useEngineStatus(notices: Pick<NoticesApi, 'push'>, onReady: () => void): EngineView {
  const client = useClient();
  const [connection, setConnection] = useState<ConnectionState>({ state: 'connecting', attempt: 1 });
  const [engine, setEngine] = useState<EventPayload<'engine:status'> | null>(null);
  const { push } = notices;

  useEffect(() => {
    const offConnection = client.onConnection((state) => {
      setConnection(state);
      // (Re-)list on every open: the first one, and after a reconnect the list may have changed.
      if (state.state === 'open') onReady();
    });
    const offStatus = client.on('engine:status', (status) => {
      setEngine(status);
      if (status.state === 'crashed') {
        push({ tone: 'error', message: `The engine stopped unexpectedly${status.message ? `: ${status.message}` : '.'}`, hint: 'It is being restarted. Imported media must be imported again.' });
      } else if (status.state === 'restarting') {
        push({ tone: 'warning', message: `Restarting the engine (restart ${status.restarts}).`, hint: status.message });
      } else if (status.state === 'ready' && status.restarts > 0) {
        onReady();
      }
    });
    return () => {
      offConnection();
      offStatus();
    };
  }, [client, push, onReady]);

  return { connection, engine };
}
