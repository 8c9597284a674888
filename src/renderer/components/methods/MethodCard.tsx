/**
 * One method in the method panel: a checkbox to include it in the run, and when included its
 * paper link, stages, how retention is met, and a control per parameter.
 */
import { useMemo } from 'react';
import type { MethodSummary } from '../../../shared/schemas/methods';
import { controlsOf } from '../../lib/paramControls';
import { ParamControlView } from './ParamControlView';

export interface MethodCardProps {
  method: MethodSummary;
  chosen: boolean;
  values: Readonly<Record<string, unknown>>;
  onToggle(): void;
  onParam(name: string, value: unknown): void;
  disabled: boolean;
}

/** A method's row; expanded with its controls while chosen. */
export function MethodCard({ method, chosen, values, onToggle, onParam, disabled }: MethodCardProps) {
  const controls = useMemo(() => controlsOf(method), [method]);
  return (
    <li className={`method-card${chosen ? ' method-card-chosen' : ''}`} data-testid="method" data-method={method.id}>
      <label className="method-pick">
        <input type="checkbox" checked={chosen} onChange={onToggle} disabled={disabled} data-testid="method-toggle" />
        <span className="method-label">{method.label}</span>
        <span className="method-stages muted">{method.stages.join(' · ')}</span>
      </label>
      {chosen ? (
        <div className="method-body">
          <p className="method-meta">
            <a href={method.paper.url} target="_blank" rel="noreferrer">
              {method.paper.title}
            </a>
            {method.paper.arxiv ? <span className="muted"> · arXiv {method.paper.arxiv}</span> : null}
          </p>
          <p className="muted method-meta">
            Retention is met {method.retention === 'kept' ? 'as tokens kept at its pruning point' : 'as a layer average (equivalent tokens)'}; positions: {method.positions}; guided by: {method.guidance}.
          </p>
          {controls.map((c) => (
            <ParamControlView key={c.name} method={method.id} control={c} values={values} onChange={(v) => onParam(c.name, v)} disabled={disabled} />
          ))}
        </div>
      ) : null}
    </li>
  );
}
