/**
 * Turns a method's parameter JSON Schema (from `method:list`) into the controls the method panel
 * shows: a slider for a number bounded on both sides, a select for an enum, a switch for a
 * boolean, a number field for an open-ended number, and a read-only note for what a form cannot
 * sensibly edit (arrays such as per-layer schedules). A parameter the user has not touched is
 * left out of the request, so the engine applies the paper default or derives it from retention.
 */
import type { MethodSummary, ParamJsonSchema } from '../../shared/schemas/methods';

/** JSON Schema writes zod's unbounded ints as ±2^53−1; such a bound is no bound for a slider. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

interface Common {
  name: string;
  help: string;
  /** The schema default; undefined means "derived from retention / chosen by the method". */
  defaultValue: unknown;
}

/** One control of the method panel. */
export type ParamControl =
  | (Common & { kind: 'slider'; min: number; max: number; step: number; integer: boolean })
  | (Common & { kind: 'number'; min?: number; max?: number; integer: boolean })
  | (Common & { kind: 'select'; options: string[] })
  | (Common & { kind: 'switch' })
  | (Common & { kind: 'fixed'; reason: string });

function typeOf(p: ParamJsonSchema): string | undefined {
  return Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type;
}

function lowerBound(p: ParamJsonSchema): number | undefined {
  if (p.minimum !== undefined) return p.minimum;
  return p.exclusiveMinimum;
}

function upperBound(p: ParamJsonSchema): number | undefined {
  const max = p.maximum ?? p.exclusiveMaximum;
  return max === undefined || Math.abs(max) >= UNBOUNDED ? undefined : max;
}

/** The control for one parameter (see the module comment for the mapping). */
export function controlFor(name: string, p: ParamJsonSchema): ParamControl {
  const common: Common = { name, help: p.description ?? '', defaultValue: p.default };
  if (Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string')) return { ...common, kind: 'select', options: p.enum as string[] };
  const type = typeOf(p);
  if (type === 'boolean') return { ...common, kind: 'switch' };
  if (type === 'integer' || type === 'number') {
    const integer = type === 'integer';
    const min = lowerBound(p);
    const max = upperBound(p);
    if (min !== undefined && max !== undefined && max > min) {
      const step = integer ? 1 : Number(((max - min) / 100).toPrecision(2));
      return { ...common, kind: 'slider', min: integer && p.exclusiveMinimum !== undefined ? min + 1 : min, max, step, integer };
    }
    return { ...common, kind: 'number', ...(min === undefined ? {} : { min: integer && p.minimum === undefined ? min + 1 : min }), ...(max === undefined ? {} : { max }), integer };
  }
  return { ...common, kind: 'fixed', reason: type === 'array' ? 'a per-layer list: derived from retention (set it with the CLI)' : 'not editable here' };
}

/** Every parameter of a method, in schema order. */
export function controlsOf(method: Pick<MethodSummary, 'params'>): ParamControl[] {
  return Object.entries(method.params.properties).map(([name, p]) => controlFor(name, p));
}

/** The value a control shows: the user's value, else the default, else undefined ("auto"). */
export function shownValue(control: ParamControl, values: Readonly<Record<string, unknown>>): unknown {
  return Object.prototype.hasOwnProperty.call(values, control.name) ? values[control.name] : control.defaultValue;
}

/**
 * Parses what a number control holds: '' means auto (undefined); otherwise a finite number,
 * rounded for integer parameters and clamped to the bounds. Returns null for text that is not a number.
 */
export function parseNumberInput(control: Extract<ParamControl, { kind: 'slider' | 'number' }>, text: string): number | undefined | null {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let value = Number(trimmed);
  if (!Number.isFinite(value)) return null;
  if (control.integer) value = Math.round(value);
  if (control.min !== undefined) value = Math.max(control.min, value);
  if (control.max !== undefined) value = Math.min(control.max, value);
  return value;
}
