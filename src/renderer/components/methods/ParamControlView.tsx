/**
 * One parameter of a method as a form control, generated from its JSON Schema (lib/paramControls):
 * slider, select, switch, number field or a read-only note. Every control has a label tied to it
 * and the parameter's help text as its description; a slider also has a number box for exact
 * values, and a parameter without a default offers "auto" (derived from retention by the method).
 */
import { useId } from 'react';
import { parseNumberInput, shownValue, type ParamControl } from '../../lib/paramControls';

export interface ParamControlViewProps {
  method: string;
  control: ParamControl;
  values: Readonly<Record<string, unknown>>;
  /** `undefined` clears the value (back to the default / auto). */
  onChange(value: unknown): void;
  disabled?: boolean;
}

/** Renders `control` with its current value from `values`. */
export function ParamControlView({ method, control, values, onChange, disabled }: ParamControlViewProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const value = shownValue(control, values);
  const auto = value === undefined;
  const label = (
    <label htmlFor={id} className="param-name">
      {control.name}
    </label>
  );
  const help = control.help ? (
    <p id={helpId} className="param-help">
      {control.help}
    </p>
  ) : null;
  const common = { id, disabled, 'aria-describedby': control.help ? helpId : undefined, 'data-param': `${method}.${control.name}` };

  let input;
  switch (control.kind) {
    case 'switch':
      input = <input {...common} type="checkbox" role="switch" checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
      break;
    case 'select':
      input = (
        <select {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)}>
          {auto ? <option value="">auto</option> : null}
          {control.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'slider':
    case 'number': {
      const set = (text: string) => {
        const parsed = parseNumberInput(control, text);
        if (parsed !== null) onChange(parsed);
      };
      input = (
        <span className="param-number">
          {control.kind === 'slider' ? (
            <input
              type="range"
              min={control.min}
              max={control.max}
              step={control.step}
              value={typeof value === 'number' ? value : control.min}
              disabled={disabled}
              aria-label={`${control.name} slider`}
              className={auto ? 'range-auto' : undefined}
              onChange={(e) => set(e.currentTarget.value)}
            />
          ) : null}
          <input {...common} type="number" min={control.min} max={control.max} step={control.kind === 'slider' ? control.step : control.integer ? 1 : 'any'} placeholder="auto" value={typeof value === 'number' ? value : ''} onChange={(e) => set(e.currentTarget.value)} />
        </span>
      );
      break;
    }
    case 'fixed':
      input = <span className="muted param-fixed">{control.reason}</span>;
      break;
  }

  return (
    <div className="param" data-kind={control.kind}>
      <div className="param-row">
        {label}
        {input}
        {!auto && Object.prototype.hasOwnProperty.call(values, control.name) ? (
          <button type="button" className="link-button" disabled={disabled} onClick={() => onChange(undefined)} aria-label={`Reset ${control.name}`}>
            reset
          </button>
        ) : null}
      </div>
      {help}
    </div>
  );
}
