/** Small pieces every method file uses: budgets, edits, and parameter fields. */
import { z } from 'zod';
import type { TokenEdit } from './define';

/**
 * round(retention·n), within [1, n] (0 only when n is): the one-shot meaning of retention. A
 * positive retention always keeps a token; an empty visual block is a decision (ToDRE stage 2),
 * never a rounding accident.
 */
export function budgetFor(retention: number, n: number): number {
  return Math.max(Math.min(1, n), Math.min(n, Math.round(retention * n)));
}

/** An edit that keeps `positions` (in that order) and drops the rest with `scores`. */
export function keepEdit(label: string, positions: readonly number[], scores?: ArrayLike<number>): TokenEdit {
  return { label, sequence: positions.map((keep) => ({ keep })), ...(scores ? { scores } : {}) };
}

/** An optional token count that, when absent, is derived from retention. */
export function derivedCount(help: string) {
  return z.number().int().nonnegative().optional().describe(`${help} Default: derived from retention.`);
}

/** An optional 0-based decoder layer that, when absent, is the paper's cut scaled to depth (depth.ts). */
export function derivedLayer(help: string) {
  return z.number().int().min(0).optional().describe(`${help} Default: the paper's layer scaled to this model's depth.`);
}

/** Columns [from, to) of row `r` of a row-major matrix with `cols` columns, as a copy. */
export function rowSlice(data: Float32Array, cols: number, r: number, from: number, to: number): Float32Array {
  return data.slice(r * cols + from, r * cols + to);
}

/**
 * A note for `ResolvedParams` when a schedule cannot meet the requested retention (more than 1%
 * off): shallow decoders leave few layers before the first prune, which sets a floor.
 */
export function shortfallNote(planned: number, requested: number): { note: string } | Record<string, never> {
  if (Math.abs(planned - requested) <= 0.01) return {};
  return { note: `the schedule reaches ${planned.toFixed(3)} at best (requested ${requested.toFixed(3)}); the layers before the first prune set a floor` };
}
