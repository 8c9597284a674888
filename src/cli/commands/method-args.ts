/**
 * The compression-method flags `tokenlab run` and `tokenlab eval` share:
 *   --method ID          a method from `tokenlab methods` (repeatable)
 *   --retention R        fraction of visual tokens kept, 0 < R ≤ 1 (a decimal or a fraction like 1/9);
 *                        one value for every method, or one per --method in order
 *   --param K=V          a method parameter (V parsed as JSON, else a string); a bare K goes to
 *                        every method whose schema has it, METHOD.K to that method only
 * The engine validates the result (planMethods): unknown ids and parameters are refused there.
 */
import type { MethodSpec } from '../../shared/schemas/runs';
import { getPruner } from '../../engine/pruners/registry';
import { UsageError } from '../command';

/** Parses "0.25" or "1/4" into a retention in (0, 1]; anything else is a UsageError. */
export function parseRetention(text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:\/\s*(\d+(?:\.\d*)?)\s*)?$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
  if (!(value > 0 && value <= 1)) throw new UsageError(`--retention must be a fraction in (0, 1] such as 0.25 or 1/9, got '${text}'.`);
  return value;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** MethodSpecs from the flags (see the module comment); [] when no --method was given. */
export function methodSpecs(methods: readonly string[], retentions: readonly string[], params: readonly string[]): MethodSpec[] {
  if (methods.length === 0) {
    if (retentions.length || params.length) throw new UsageError('--retention and --param need a --method.');
    return [];
  }
  if (retentions.length === 0) throw new UsageError('--retention is required with --method (the fraction of visual tokens kept, e.g. 0.25).');
  if (retentions.length !== 1 && retentions.length !== methods.length) throw new UsageError(`give one --retention for all methods or one per --method (${methods.length}), not ${retentions.length}.`);
  const specs = methods.map((id, i) => ({ id, retention: parseRetention(retentions[retentions.length === 1 ? 0 : i]!), params: {} as Record<string, unknown> }));
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param must be NAME=VALUE or METHOD.NAME=VALUE, got '${p}'.`);
    const key = p.slice(0, eq);
    const value = parseValue(p.slice(eq + 1));
    const dot = key.indexOf('.');
    if (dot >= 0) {
      const [method, name] = [key.slice(0, dot), key.slice(dot + 1)];
      const targets = specs.filter((s) => s.id === method);
      if (targets.length === 0) throw new UsageError(`--param ${p}: '${method}' is not one of the --method values (${methods.join(', ')}).`);
      for (const s of targets) s.params[name] = value;
      continue;
    }
    // Unknown method ids are left for the engine to refuse (with the list of known ones).
    const targets = specs.filter((s) => {
      try {
        return key in getPruner(s.id).params.shape;
      } catch {
        return false;
      }
    });
    if (targets.length === 0) throw new UsageError(`--param ${p}: no chosen method has a parameter '${key}' (\`tokenlab methods\` lists them).`);
    for (const s of targets) s.params[key] = value;
  }
  return specs;
}
