// @vitest-environment happy-dom
/**
 * The FLOPs chart's hover card: every phase of the stacked bar (vision, prefill, decode, method
 * overhead) with its total, each term's formula and the counts it was evaluated at, on FLOPs
 * computed by shared/flops.ts itself; the phases add up to the run's total. A response from an
 * engine that sent only the decoder formula still shows every number.
 */
import { describe, expect, it } from 'vitest';
import { FlopsTooltip } from '../../src/renderer/components/metrics/FlopsChart';
import { flopsDetails, layerCounts, overheadFormula } from '../../src/renderer/lib/flopsDetails';
import { flopsRows } from '../../src/renderer/lib/metricsData';
import { computeFlops, formatFlops, type ModelDims } from '../../src/shared/flops';
import { runFlopsOf, type MethodResult } from '../../src/shared/schemas/runs';
import { mount } from './render';
import { twoMethodResponse } from './runFixtures';

/** llava-tiny-shapes' sizes (models/reference/config.json). */
const DIMS: ModelDims = {
  name: 'llava-tiny-shapes',
  vision: { hiddenSize: 128, intermediateSize: 512, layersRun: 4, patchSize: 16, imageSize: 160, numChannels: 3, clsToken: true },
  projector: { inputSize: 128, hiddenSize: 192, outputSize: 192 },
  text: { hiddenSize: 192, intermediateSize: 512, numLayers: 8, numHeads: 6, numKvHeads: 6, headDim: 32, vocabSize: 70 },
};

/** A FastV-like result whose FLOPs are shared/flops.ts's own, as the engine sends them. */
function fastvResult(): MethodResult {
  const base = twoMethodResponse('m1').response.results[2]!;
  const f = computeFlops({ dims: DIMS, prefillTokensPerLayer: [112, 112, 112, 37, 37, 37, 37, 37], projectorTokens: 100, decodeSteps: 2, extra: [{ label: 'fastv: probes (attention rows, q·k scores, ViT CLS/keys)', flops: 67_200 }] });
  return {
    ...base,
    method: 'fastv',
    flops: runFlopsOf(f),
  };
}

describe('FLOPs hover', () => {
  it('gives every phase its formula and counts, and the phases add up to the total', () => {
    const r = fastvResult();
    const phases = flopsDetails(r);
    expect(phases.map((p) => p.key)).toEqual(['vision', 'prefill', 'decode', 'overhead']);
    expect(phases.reduce((a, p) => a + p.total, 0)).toBeCloseTo(r.flops.total, 6);
    for (const p of phases) expect(p.terms.reduce((a, t) => a + t.flops, 0)).toBeCloseTo(p.total, 6);
    const terms = phases.flatMap((p) => p.terms);
    expect(terms.every((t) => t.formula !== null)).toBe(true);
    expect(phases[0]!.terms[0]!.counts).toBe('1 image(s); n per layer: 101 × 4 layers');
    expect(phases[1]!.terms[0]!.counts).toBe('n per layer: 112, 112, 112, 37, 37, 37, 37, 37');
    expect(phases[1]!.terms[0]!.formula).toContain('4·n·d² + 2·n²·d + 3·n·d·m');
    expect(phases[2]!.terms.map((t) => t.counts)).toEqual(['2 steps after prefill, L = prefill tokens + step', '3 positions (last prefill token + each step)']);
    expect(phases[3]!.terms[0]!.formula).toContain('R·n·heads');
  });

  it('renders each phase with its formula and number', async () => {
    const r = fastvResult();
    const row = flopsRows([r])[0]!;
    const view = await mount(<FlopsTooltip row={{ ...row, method: 'FastV' }} result={r} />);
    const card = view.one('flops-tooltip');
    expect(Array.from(card.querySelectorAll<HTMLElement>('.flops-phase')).map((p) => p.dataset.phase)).toEqual(['vision', 'prefill', 'decode', 'overhead']);
    const text = card.textContent!;
    expect(text).toContain(`FastV: ${formatFlops(r.flops.total)}`);
    for (const formula of Object.values(r.flops.formulas!)) expect(text).toContain(formula);
    expect(text).toContain(`Prefill: ${formatFlops(r.flops.prefill.total)}`);
    expect(text).toContain(`Method overhead: ${formatFlops(67_200)}`);
    view.unmount();
  });

  it('an older engine (decoder formula only) still gets every number; unknown overhead items show theirs alone', () => {
    const r = fastvResult();
    const { formulas: _dropped, ...older } = r.flops;
    const phases = flopsDetails({ flops: { ...older, extra: { total: 5, items: [{ label: 'quota: scoring passes', flops: 5 }] } } });
    expect(phases[1]!.terms[0]!.formula).toBe(r.flops.formula);
    expect(phases[0]!.terms.map((t) => t.formula)).toEqual([null, null]);
    expect(phases[3]!.terms).toEqual([{ name: 'quota: scoring passes', formula: null, counts: "counts from the run's trace", flops: 5 }]);
    expect(overheadFormula('2 ViT layer(s) beyond the feature layer, run for probes')).toContain('per extra ViT layer');
    expect(layerCounts([])).toBe('no layers');
  });
});
