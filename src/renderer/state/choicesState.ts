/**
 * The method panel's choices as a pure reducer: which methods run, the parameters the user set
 * for each (untouched ones are absent, so the engine's defaults apply), and the retention shared
 * by every chosen method.
 */

/** What the method panel holds for the next run. */
export interface ChoicesState {
  /** Chosen method ids, in the order they were chosen (the order views and charts use). */
  chosen: string[];
  params: Record<string, Record<string, unknown>>;
  /** Fraction of visual tokens kept, (0, 1]. */
  retention: number;
}

/** Changes to the choices, as the panel's controls make them. */
export type ChoicesAction =
  | { type: 'toggle'; id: string }
  | { type: 'param'; id: string; name: string; value: unknown }
  | { type: 'resetParams'; id: string }
  | { type: 'retention'; value: number }
  /** Drops chosen methods the engine no longer lists (e.g. after a restart with another build). */
  | { type: 'known'; ids: string[] };

/** A quarter of the tokens: where the papers' comparisons are most telling. */
export const initialChoices: ChoicesState = { chosen: [], params: {}, retention: 0.25 };

/** Smallest retention offered: one token in a hundred still leaves every method something to keep. */
export const MIN_RETENTION = 0.01;

/** Applies one action. `value: undefined` on 'param' clears the parameter back to its default. */
export function choicesReducer(state: ChoicesState, action: ChoicesAction): ChoicesState {
  switch (action.type) {
    case 'toggle': {
      const on = state.chosen.includes(action.id);
      return { ...state, chosen: on ? state.chosen.filter((id) => id !== action.id) : [...state.chosen, action.id] };
    }
    case 'param': {
      const current = { ...(state.params[action.id] ?? {}) };
      if (action.value === undefined) delete current[action.name];
      else current[action.name] = action.value;
      return { ...state, params: { ...state.params, [action.id]: current } };
    }
    case 'resetParams': {
      const params = { ...state.params };
      delete params[action.id];
      return { ...state, params };
    }
    case 'retention': {
      const value = Number.isFinite(action.value) ? Math.min(1, Math.max(MIN_RETENTION, action.value)) : state.retention;
      return { ...state, retention: value };
    }
    case 'known': {
      const chosen = state.chosen.filter((id) => action.ids.includes(id));
      return chosen.length === state.chosen.length ? state : { ...state, chosen };
    }
  }
}
