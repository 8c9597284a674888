/** The list of compression methods from `method:list`, each one a MethodCard. */
import type { MethodSummary } from '../../../shared/schemas/methods';
import type { ChoicesAction, ChoicesState } from '../../state/choicesState';
import { MethodCard } from './MethodCard';

/** Shows a loading line until `methods` arrives; `dispatch` changes the choices. */
export function MethodList({ methods, choices, dispatch, disabled }: { methods: MethodSummary[] | null; choices: ChoicesState; dispatch(action: ChoicesAction): void; disabled: boolean }) {
  if (!methods) return <p className="muted">Loading the compression methods…</p>;
  return (
    <fieldset className="method-list-box">
      <legend>Compression methods (the unpruned model always runs first)</legend>
      <ul className="method-list">
        {methods.map((m) => (
          <MethodCard
            key={m.id}
            method={m}
            chosen={choices.chosen.includes(m.id)}
            values={choices.params[m.id] ?? {}}
            onToggle={() => dispatch({ type: 'toggle', id: m.id })}
            onParam={(name, value) => dispatch({ type: 'param', id: m.id, name, value })}
            disabled={disabled}
          />
        ))}
      </ul>
    </fieldset>
  );
}
