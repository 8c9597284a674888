/**
 * The registry of compression methods: every method file's definition, in one list. Adding a
 * method here enrols it in the conformance suite (test/engine/pruners/conformance.test.ts), the
 * CLI's `tokenlab methods` and the UI's method picker — nothing else to remember.
 */
import { z } from 'zod';
import { ApiError } from '../../shared/errors';
import type { AnyPruner, PrunerId } from './define';
import { divprune } from './divprune';
import { fastv } from './fastv';
import { mustdrop } from './mustdrop';
import { pdrop } from './pdrop';
import { pool } from './pool';
import { prumergePlus } from './prumerge-plus';
import { random } from './random';
import { sparsevlm } from './sparsevlm';
import { todre } from './todre';
import { transprune } from './transprune';
import { visionzip } from './visionzip';

const PRUNERS: readonly AnyPruner[] = [random, pool, fastv, visionzip, divprune, prumergePlus, sparsevlm, pdrop, todre, mustdrop, transprune];

/** Every registered method, in the order the UI lists them (baselines first). */
export function listPruners(): readonly AnyPruner[] {
  return PRUNERS;
}

/** The method with id `id`; throws an error that lists the known ids. */
export function getPruner(id: string): AnyPruner {
  const found = PRUNERS.find((p) => p.id === id);
  if (!found) {
    throw new ApiError('not-found', `unknown compression method '${id}'; known methods: ${PRUNERS.map((p) => p.id).join(', ')}`, { subject: id, hint: 'Run `tokenlab methods` for the list.' });
  }
  return found;
}

/** What `tokenlab methods --json` prints for one method: everything but the functions. */
export interface PrunerSummary {
  id: PrunerId;
  label: string;
  paper: AnyPruner['paper'];
  code?: string;
  stages: AnyPruner['stages'];
  modalities: AnyPruner['modalities'];
  positions: AnyPruner['positions'];
  retention: AnyPruner['retention'];
  guidance: AnyPruner['guidance'];
  /** JSON Schema of the parameters (defaults and help text included). */
  params: unknown;
}

/** A JSON-ready description of a method (its parameter schema as JSON Schema). */
export function describePruner(p: AnyPruner): PrunerSummary {
  return {
    id: p.id,
    label: p.label,
    paper: p.paper,
    ...(p.code ? { code: p.code } : {}),
    stages: p.stages,
    modalities: p.modalities,
    positions: p.positions,
    retention: p.retention,
    guidance: p.guidance,
    params: z.toJSONSchema(p.params, { io: 'input' }),
  };
}
