/** The retention shared by every chosen method: the fraction of visual tokens kept (STYLE.md lesson 2). */
import { useId } from 'react';
import { MIN_RETENTION } from '../../state/choicesState';

/** Slider + percentage; `visualTokens` (when known from the model) shows the token count too. */
export function RetentionControl({ value, onChange, visualTokens, disabled }: { value: number; onChange(value: number): void; visualTokens?: number; disabled: boolean }) {
  const id = useId();
  const count = visualTokens ? ` ≈ ${Math.max(1, Math.round(value * visualTokens))} of ${visualTokens} tokens` : '';
  return (
    <div className="retention">
      <label htmlFor={id}>Retention</label>
      <input id={id} type="range" min={MIN_RETENTION} max={1} step={0.01} value={value} disabled={disabled} data-testid="retention" onChange={(e) => onChange(Number(e.currentTarget.value))} aria-valuetext={`${Math.round(value * 100)}% of the visual tokens`} />
      <output htmlFor={id} className="retention-value">
        {Math.round(value * 100)}%{count}
      </output>
    </div>
  );
}
