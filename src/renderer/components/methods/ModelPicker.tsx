/**
 * Which model runs: a select over `model:list` (broken folders listed, disabled, with their
 * reason) and a Load button that builds the model's graphs now, with progress.
 */
import { useId } from 'react';
import type { ModelsApi } from '../../state/useModels';

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
        <button type="button" disabled={disabled || !selected || selected.loaded || loading !== null} onClick={() => selected && void models.load(selected.id)}>
          {selected?.loaded ? 'Loaded' : 'Load'}
        </button>
      </div>
      <p className="model-status muted" aria-live="polite">
        {loading ? (loading.message ?? 'Loading…') : selected?.digest ? `${selected.digest.grid.rows}×${selected.digest.grid.cols} tokens per image · ${selected.digest.text.layers} decoder layers` : '\u00a0'}
      </p>
      {/* Always there (empty when idle), so a load never shifts the panel. */}
      <progress className="model-progress" max={loading?.total ?? 1} value={loading?.total ? loading.done : 0} aria-label="Model load progress" />
      {broken.map((m) => (
        <p key={m.id} className="muted model-broken">
          {m.name}: {m.problem?.message} {m.problem?.hint}
        </p>
      ))}
    </div>
  );
}
