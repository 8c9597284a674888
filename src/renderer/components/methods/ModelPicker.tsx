/**
 * Which model runs: a select over `model:list` (broken folders listed, disabled, with their
 * reason), a Load button that warms the model up now (graphs and first passes, with progress),
 * and a line saying where the warm-up the lab starts on opening stands.
 */
import { useId } from 'react';
import type { ModelsApi, WarmupState } from '../../state/useModels';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The warm-up line: progress while warming, what it cost once done, a pointer to the notice when it failed. */
export function warmupText(warmup: WarmupState): string {
  switch (warmup.status) {
    case 'idle':
      return '\u00a0';
    case 'warming': {
      const { done, total, message } = warmup.progress;
      const step = total ? ` (${warmup.progress.phase === 'warm' ? 'first passes' : 'load'} ${done}/${total})` : '';
      // The engine's messages start with the model id, which the line already names.
      const what = message?.startsWith(`${warmup.id}: `) ? message.slice(warmup.id.length + 2) : (message ?? '…');
      return `Warming up ${warmup.id}${step}: ${what}. Runs may start meanwhile.`;
    }
    case 'ready':
      return warmup.skipped
        ? `${warmup.id} is loaded (load ${seconds(warmup.loadMs)}, first passes ${seconds(warmup.warmMs)}); ${warmup.skipped} method(s) not warmed up: their first run is slower.`
        : `${warmup.id} is warm (load ${seconds(warmup.loadMs)}, first passes ${seconds(warmup.warmMs)}): runs start at full speed.`;
    case 'failed':
      return `Warming up ${warmup.id} failed; see the notice. Runs load the model on demand.`;
  }
}

/** Shows the models and the load state. */
export function ModelPicker({ models, disabled }: { models: ModelsApi; disabled: boolean }) {
  const id = useId();
  const selected = models.models.find((m) => m.id === models.selectedId);
  const broken = models.models.filter((m) => m.state === 'broken');
  const loading = models.loading;
  return (
    <div className="model-picker">
      <label htmlFor={id}>Model</label>
      <div className="model-row">
        <select id={id} data-testid="model" value={models.selectedId ?? ''} disabled={disabled || models.models.length === 0} onChange={(e) => models.select(e.currentTarget.value)}>
          {models.models.length === 0 ? <option value="">No models found</option> : null}
          {models.models.map((m) => (
            <option key={m.id} value={m.id} disabled={m.state !== 'ok'}>
              {m.name} {m.state === 'broken' ? '(broken)' : m.loaded ? '(loaded)' : ''}
            </option>
          ))}
        </select>
        <button type="button" data-testid="model-load" disabled={disabled || !selected || selected.loaded || loading !== null} onClick={() => selected && void models.load(selected.id)}>
          {selected?.loaded ? 'Loaded' : 'Load'}
        </button>
      </div>
      <p className="model-status muted">
        {selected?.digest ? `${selected.digest.grid.rows}×${selected.digest.grid.cols} tokens per image · ${selected.digest.text.layers} decoder layers` : '\u00a0'}
      </p>
      {/* A fixed line (never empty), so the warm-up's progress and end never shift the panel. */}
      <p
        className="model-warmup muted"
        data-testid="model-warmup"
        data-state={models.warmup.status}
        data-load-ms={models.warmup.status === 'ready' ? Math.round(models.warmup.loadMs) : undefined}
        data-warm-ms={models.warmup.status === 'ready' ? Math.round(models.warmup.warmMs) : undefined}
        aria-live="polite"
      >
        {warmupText(models.warmup)}
      </p>
      {/* Always there (empty when idle), so a load never shifts the panel. */}
      <progress className="model-progress" max={loading?.total ?? 1} value={loading?.total ? loading.done : 0} aria-label="Model warm-up progress" />
      {broken.map((m) => (
        <p key={m.id} className="muted model-broken">
          {m.name}: {m.problem?.message} {m.problem?.hint}
        </p>
      ))}
    </div>
  );
}
