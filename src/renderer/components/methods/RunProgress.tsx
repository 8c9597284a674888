/**
 * Progress of the run in flight: one fixed row per phase (load, vision, prefill, decode), so the
 * panel has the same height before, during and after a run.
 */
import { RUN_PHASES, type RunState } from '../../state/runState';

const LABELS = { load: 'Model load', vision: 'Vision', prefill: 'Prefill', decode: 'Decode' } as const;

/** Bars per phase plus the latest message; empty rows while idle. */
export function RunProgress({ run }: { run: Pick<RunState, 'status' | 'progress' | 'message' | 'startedAt' | 'finishedAt'> }) {
  const active = run.status === 'running';
  return (
    <div className="run-progress" data-testid="run-progress" data-status={run.status} data-finished-at={run.finishedAt || undefined}>
      {RUN_PHASES.map((phase) => {
        const p = run.progress[phase];
        return (
          <div key={phase} className="run-phase">
            <span className="run-phase-label">{LABELS[phase]}</span>
            <progress max={p?.total ?? 1} value={p ? p.done : 0} aria-label={`${LABELS[phase]} progress`} />
          </div>
        );
      })}
      <p className="run-message muted" aria-live="polite">
        {active ? run.message : run.status === 'done' ? `Done in ${Math.round(run.finishedAt - run.startedAt)} ms.` : run.status === 'cancelled' ? 'Cancelled.' : run.status === 'failed' ? 'The run failed; see the notice.' : '\u00a0'}
      </p>
    </div>
  );
}
