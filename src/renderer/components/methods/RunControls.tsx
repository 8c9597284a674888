/** Run and Cancel, with why Run is unavailable when it is (no image, no question, no model). */
export interface RunControlsProps {
  running: boolean;
  /** Why a run cannot start now, or null when it can. */
  blocked: string | null;
  onRun(): void;
  onCancel(): void;
}

/** The Run button (`data-testid="run"`, shortcut Ctrl/Cmd+Enter) and Cancel while running. */
export function RunControls({ running, blocked, onRun, onCancel }: RunControlsProps) {
  return (
    <div className="run-controls">
      <button type="button" className="primary" data-testid="run" disabled={running || blocked !== null} onClick={onRun} aria-keyshortcuts="Control+Enter Meta+Enter" title="Run (Ctrl/Cmd+Enter)">
        {running ? 'Running…' : 'Run'}
      </button>
      <button type="button" data-testid="cancel" disabled={!running} onClick={onCancel}>
        Cancel
      </button>
      <span className="muted run-blocked">{blocked ?? 'Ctrl/Cmd+Enter'}</span>
    </div>
  );
}
