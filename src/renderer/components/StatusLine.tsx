/** One line at the bottom: is the engine reachable, and in what state. */
import type { EngineView } from '../state/useEngineStatus';

/** Text for the current link and engine state, for the status line and its tests. */
export function statusText({ connection, engine }: EngineView, transport: 'ipc' | 'websocket'): string {
  if (connection.state === 'connecting') return connection.attempt > 1 ? `Reconnecting to the engine (attempt ${connection.attempt})…` : 'Connecting to the engine…';
  if (connection.state === 'closed') {
    return connection.retryInMs !== undefined ? `Disconnected. Retrying in ${Math.ceil(connection.retryInMs / 1000)} s.` : 'Disconnected.';
  }
  const via = transport === 'ipc' ? 'desktop' : 'browser mode';
  switch (engine?.state) {
    case 'crashed':
      return 'Engine crashed; restarting…';
    case 'restarting':
    case 'starting':
      return 'Engine starting…';
    case 'stopped':
      return 'Engine stopped.';
    default:
      return `Engine ready (${via}).`;
  }
}

/** The status line; `role=status` so screen readers announce changes politely. */
export function StatusLine({ view, transport }: { view: EngineView; transport: 'ipc' | 'websocket' }) {
  const ok = view.connection.state === 'open' && (view.engine === null || view.engine.state === 'ready');
  return (
    <footer className="status-line" role="status" data-testid="engine-status" data-ok={ok}>
      <span className={`status-dot${ok ? ' status-dot-ok' : ''}`} aria-hidden="true" />
      {statusText(view, transport)}
    </footer>
  );
}
