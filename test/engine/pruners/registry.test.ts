import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../src/engine/pruners/algorithms/matrix';
import { bindPruner, ownRows, runGeometry } from '../../../src/engine/pruners/bind';
import { definePruner } from '../../../src/engine/pruners/define';
import { prumergePlus } from '../../../src/engine/pruners/prumerge-plus';
import { describePruner, getPruner, listPruners } from '../../../src/engine/pruners/registry';
import { ApiError } from '../../../src/shared/errors';
import { tinyConfig } from '../../helpers/tiny-model';

const geometry = runGeometry(tinyConfig({ textLayers: 8 }), 1);

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('registry', () => {
  it('holds the eleven methods of issue 5, each with a unique id and help on every parameter', () => {
    const ids = listPruners().map((p) => p.id);
    expect(new Set(ids).size).toBe(11);
    for (const p of listPruners()) {
      const schema = describePruner(p).params as { properties: Record<string, { description?: string }> };
      for (const [name, prop] of Object.entries(schema.properties)) expect(prop.description, `${p.id}.${name}`).toBeTruthy();
    }
  });

  it('classes each method by what guides its selection, as issue 5 groups them for the random comparison', () => {
    const by = Object.fromEntries(listPruners().map((p) => [p.id, describePruner(p).guidance]));
    expect(by).toEqual({
      random: 'none', pool: 'none', visionzip: 'visual', 'prumerge-plus': 'visual', divprune: 'diversity', todre: 'diversity',
      fastv: 'text', sparsevlm: 'text', pdrop: 'text', mustdrop: 'text', transprune: 'text',
    });
  });

  it('names the known ids when an id is unknown', () => {
    const err = thrown(() => getPruner('fastvv'));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain("'fastvv'");
    expect(err.message).toContain('fastv, visionzip');
  });

  it('definePruner refuses a parameter without help text', () => {
    expect(() => definePruner({ ...getPruner('random'), params: z.object({ keep: z.number().optional() }) })).toThrow(/'keep' has no .describe\(\)/);
  });
});

describe('bindPruner input checks', () => {
  it('rejects unknown and ill-typed parameters, naming them', () => {
    const unknown = thrown(() => bindPruner(getPruner('fastv'), { retention: 0.5, user: { kk: 3 } }, geometry));
    expect(unknown.code).toBe('invalid-input');
    expect(unknown.message).toMatch(/fastv.*kk/);
    expect(unknown.hint).toContain('k, keep');
    const typed = thrown(() => bindPruner(getPruner('transprune'), { retention: 0.5, user: { direction: 'sin' } }, geometry));
    expect(typed.message).toMatch(/direction/);
  });

  it('rejects retention outside (0, 1] and unsupported modalities', () => {
    expect(thrown(() => bindPruner(getPruner('random'), { retention: 0 }, geometry)).subject).toBe('retention');
    expect(thrown(() => bindPruner(getPruner('random'), { retention: 1.5 }, geometry)).code).toBe('invalid-input');
    expect(thrown(() => bindPruner(getPruner('mustdrop'), { retention: 0.5 }, runGeometry(tinyConfig(), 2))).code).toBe('unsupported');
  });

  it('maps retention to parameters the user did not set, and keeps the ones they did', () => {
    expect(bindPruner(getPruner('fastv'), { retention: 0.25 }, geometry).resolved.params).toEqual({ k: 1, keep: 4 });
    expect(bindPruner(getPruner('fastv'), { retention: 0.25, user: { k: 3 } }, geometry).resolved.params).toEqual({ k: 3, keep: 4 });
    expect(runGeometry(tinyConfig(), 2).grid).toEqual({ frames: 2, rows: 2, cols: 2 }); // video frames pooled 2×2
  });
});

describe('ownRows', () => {
  it('returns exactly the requested attention rows when combined hooks asked for more', () => {
    // Probe over n = 3 keys returned rows [0, 4, 5] (row 0 added by another hook).
    const probe = { rows: [0, 4, 5], values: Float32Array.from([1, 0, 0, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8]) };
    const own = ownRows(probe, [4, 5], 3)!;
    expect(own.rows).toEqual([4, 5]);
    expect(Array.from(own.values.data)).toEqual(Array.from(probe.values.slice(3)));
    expect(ownRows(probe, [], 3)).toBeUndefined();
    expect(() => ownRows(probe, [2], 3)).toThrow(/row 2 was requested/);
  });
});

describe('tiny budgets', () => {
  it('PruMerge+ with a budget of one keeps one token and no pruned-sum token', () => {
    const params = prumergePlus.resolveParams(1 / 16, prumergePlus.params.parse({}), geometry).params;
    expect(params.budget).toBe(1);
    const state = { probe: { clsAttention: Float32Array.from({ length: 16 }, (_, i) => (i === 5 ? 0.5 : 0.01)), keys: matrix(new Float32Array(16 * 2).fill(1), 16, 2) } };
    const edit = prumergePlus.hooks.beforeProjector!({ features: matrix(new Float32Array(16 * 3).fill(1), 16, 3), frames: [] }, { params, state, geometry, random: Math.random })!;
    expect(edit.sequence).toEqual([{ keep: 5 }]);
    expect(edit.features!.rows).toBe(1);
  });
});
