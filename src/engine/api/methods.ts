/**
 * Handler of `method:list`: the pruner registry described exactly as `tokenlab methods --json`
 * prints it (registry.describePruner), so the UI, the CLI and the contract agree on every id,
 * stage and parameter.
 */
import type { Handlers } from '../../shared/api';
import { MethodSummary } from '../../shared/schemas/methods';
import { describePruner, listPruners } from '../pruners/registry';

/** The calls implemented here. */
export type MethodCallName = 'method:list';

/** The method handlers (stateless: the registry is static). */
export function createMethodHandlers(): Pick<Handlers, MethodCallName> {
  // describePruner types the JSON Schema as unknown; parsing gives it the contract's shape.
  return { 'method:list': async () => listPruners().map((p) => MethodSummary.parse(describePruner(p))) };
}
