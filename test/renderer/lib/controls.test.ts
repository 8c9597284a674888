/** Parameter controls from JSON Schema, the run request, and chart rows. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { controlFor, controlsOf, parseNumberInput, shownValue } from '../../../src/renderer/lib/paramControls';
import { buildRunRequest } from '../../../src/renderer/lib/runRequest';
import { RunStartRequest } from '../../../src/shared/schemas/runs';

const schema = z.toJSONSchema(
  z.object({
    keep: z.number().int().min(0).optional().describe('tokens kept'),
    tau: z.number().min(0).max(1).default(0.1).describe('threshold'),
    rows: z.number().int().positive().optional().describe('rows'),
    mode: z.enum(['budget', 'adaptive']).default('budget').describe('mode'),
    recycle: z.boolean().default(true).describe('recycle'),
    layers: z.array(z.number().int()).optional().describe('layers'),
  }),
  { io: 'input' },
) as { properties: Record<string, Record<string, unknown>> };

describe('controls from parameter schemas', () => {
  it('maps each JSON Schema type to its control, keeping defaults and help', () => {
    const controls = controlsOf({ params: { properties: schema.properties } });
    expect(controls.map((c) => [c.name, c.kind])).toEqual([
      ['keep', 'number'],
      ['tau', 'slider'],
      ['rows', 'number'],
      ['mode', 'select'],
      ['recycle', 'switch'],
      ['layers', 'fixed'],
    ]);
    const tau = controls[1]!;
    expect(tau).toMatchObject({ min: 0, max: 1, step: 0.01, integer: false, defaultValue: 0.1, help: 'threshold' });
    expect(controls[2]).toMatchObject({ min: 1, integer: true }); // positive int: exclusiveMinimum 0 → 1
    expect(controls[3]).toMatchObject({ options: ['budget', 'adaptive'], defaultValue: 'budget' });
    expect(controlFor('x', { type: 'integer', minimum: 2, maximum: 8 })).toMatchObject({ kind: 'slider', step: 1 });
  });

  it('shows the user value over the default, and parses number text', () => {
    const tau = controlFor('tau', schema.properties.tau!);
    expect(shownValue(tau, {})).toBe(0.1);
    expect(shownValue(tau, { tau: 0.5 })).toBe(0.5);
    const keep = controlFor('keep', schema.properties.keep!);
    if (keep.kind !== 'number') throw new Error('keep should be a number field');
    expect(parseNumberInput(keep, '')).toBeUndefined();
    expect(parseNumberInput(keep, '12.6')).toBe(13);
    expect(parseNumberInput(keep, '-4')).toBe(0);
    expect(parseNumberInput(keep, 'many')).toBeNull();
  });
});

describe('buildRunRequest', () => {
  it('sends chosen methods with only the parameters the user set, and a valid request', () => {
    const req = buildRunRequest({ mediaId: 'm1', question: '  what colour?  ', expectedAnswer: ' ', methods: ['fastv', 'divprune'], params: { fastv: { k: 2 } }, retention: 0.25 });
    expect(req).toMatchObject({ mediaId: 'm1', question: 'what colour?', methods: [{ id: 'fastv', params: { k: 2 }, retention: 0.25 }, { id: 'divprune', params: {}, retention: 0.25 }] });
    expect(req.expectedAnswer).toBeUndefined();
    expect(RunStartRequest.safeParse(req).success).toBe(true);
  });

  it('leaves methods out for a baseline-only run', () => {
    expect(buildRunRequest({ mediaId: 'm', question: 'q', methods: [], params: {}, retention: 1, modelId: 'reference' })).toEqual({ mediaId: 'm', question: 'q', modelId: 'reference' });
  });
});

describe('chart rows', () => {
  it('splits FLOPs into phases relative to the baseline, tokens per layer per method, latency medians', async () => {
    const { twoMethodResponse } = await import('../runFixtures');
    const { flopsRows, tokenRows, latencyRows, shortFlops } = await import('../../../src/renderer/lib/metricsData');
    const { response } = twoMethodResponse('m');
    const rows = flopsRows(response.results);
    expect(rows.map((r) => r.method)).toEqual(['none', 'mixed', 'topk']);
    for (const [i, r] of rows.entries()) expect(r.vision + r.prefill + r.decode + r.overhead).toBe(response.results[i]!.flops.total);
    expect(rows[0]!.relative).toBe(1);
    expect(rows[2]!.relative).toBeLessThan(1);
    expect(tokenRows(response.results)).toEqual([
      { layer: 0, none: 24, mixed: 17, topk: 24 },
      { layer: 1, none: 24, mixed: 17, topk: 24 },
      { layer: 2, none: 24, mixed: 9, topk: 24 },
      { layer: 3, none: 24, mixed: 9, topk: 6 },
    ]);
    expect(latencyRows(response.results)[0]).toEqual({ method: 'none', preprocess: 1, vision: 2, prefill: 3, decode: 4 });
    expect([shortFlops(3.817e12), shortFlops(20e6), shortFlops(512)]).toEqual(['3.82T', '20M', '512']);
  });
});
