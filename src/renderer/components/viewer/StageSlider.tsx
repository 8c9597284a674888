/**
 * The stage slider (`data-testid="stage"`): replays the run along the shared timeline — input,
 * after the ViT, before the LLM, after each pruning decoder layer, the KV cache. Arrow keys step
 * it (a native range input), and the current position is announced by name.
 */
import { useId } from 'react';
import type { StagePosition } from '../../lib/stagePositions';

/** `index` selects one of `positions`. */
export function StageSlider({ positions, index, onChange }: { positions: readonly StagePosition[]; index: number; onChange(index: number): void }) {
  const id = useId();
  const current = positions[index];
  return (
    <div className="stage-slider">
      <label htmlFor={id}>Stage</label>
      <input
        id={id}
        type="range"
        min={0}
        max={Math.max(0, positions.length - 1)}
        step={1}
        value={index}
        disabled={positions.length < 2}
        data-testid="stage"
        data-position={current?.key}
        aria-valuetext={current?.label}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      />
      <output htmlFor={id} className="stage-label">
        {current?.label ?? ''}
      </output>
    </div>
  );
}
