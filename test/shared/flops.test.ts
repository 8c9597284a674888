import { describe, expect, it } from 'vitest';
import { FLOPS_PRESETS, computeFlops, decoderLayerFlops, formatFlops, uniformFlops, visionTokenCount, type ModelDims } from '../../src/shared/flops';

const llava7b: ModelDims = FLOPS_PRESETS['llava-1.5-7b'];

describe('FLOPs model', () => {
  it('gives TransPrune\'s LLaVA-1.5-7B baseline: 576 visual tokens, no text → 3.82 TFLOPs decoder prefill (±0.5%)', () => {
    const f = uniformFlops(llava7b, { visualTokens: 576 });
    // 32 · (4·576·4096² + 2·576²·4096 + 3·576·4096·11008), computed by hand.
    expect(f.prefill.total).toBe(32 * (38_654_705_664 + 2_717_908_992 + 77_913_391_104));
    expect(Math.abs(f.prefill.total / 3.82e12 - 1)).toBeLessThan(0.005);
    expect(f.prefill.layers).toHaveLength(32);
    expect(f.formulas.decoderLayer).toMatch(/^4·n·d² \+ 2·n²·d \+ 3·n·d·m per layer/);
  });

  it('FastV\'s convention uses 2ndm for the MLP', () => {
    const f = uniformFlops(llava7b, { visualTokens: 576, convention: 'fastv' });
    expect(f.prefill.total).toBe(32 * (38_654_705_664 + 2_717_908_992 + 2 * 576 * 4096 * 11008));
    expect(f.formulas.decoderLayer).toContain('2·n·d·m');
  });

  it('counts each layer from its own token count (pruning inside the LLM)', () => {
    const tokens = Array.from({ length: 32 }, (_, l) => (l < 2 ? 611 : 611 - 432));
    const f = computeFlops({ dims: llava7b, prefillTokensPerLayer: tokens, projectorTokens: 576 });
    expect(f.prefill.layers[0]).toBe(decoderLayerFlops(llava7b.text, 611));
    expect(f.prefill.layers[5]).toBe(decoderLayerFlops(llava7b.text, 179));
    expect(f.prefill.total).toBe(2 * decoderLayerFlops(llava7b.text, 611) + 30 * decoderLayerFlops(llava7b.text, 179));
  });

  it('uses the GQA-aware form when kv heads < heads', () => {
    const gqa: ModelDims = { ...llava7b, text: { ...llava7b.text, numKvHeads: 8 } };
    const n = 100;
    const d = 4096;
    const dkv = 8 * 128;
    expect(decoderLayerFlops(gqa.text, n)).toBe(2 * n * d * d + 2 * n * d * dkv + 2 * n * n * d + 3 * n * d * 11008);
    expect(uniformFlops(gqa, { visualTokens: n }).formulas.decoderLayer).toMatch(/grouped-query attention; .*d_kv = kv_heads·head_dim = 1024/);
  });

  it('counts the vision tower, projector, decode steps, LM head and a method\'s extra cost', () => {
    expect(visionTokenCount(llava7b.vision)).toBe(577);
    const f = computeFlops({
      dims: llava7b, prefillTokensPerLayer: Array(32).fill(640), projectorTokens: 576, decodeSteps: 2,
      extra: [{ label: 'scoring', flops: 1e9 }],
    });
    const d = 1024;
    expect(f.vision.layers).toHaveLength(23);
    expect(f.vision.layers[0]).toBe(4 * 577 * d * d + 2 * 577 * 577 * d + 2 * 577 * d * 4096);
    expect(f.vision.patchEmbedding).toBe(576 * 1024 * 3 * 14 * 14);
    expect(f.projector.total).toBe(576 * (1024 * 4096 + 4096 * 4096));
    // Step 0 attends to 641 keys, step 1 to 642, in every layer.
    const step = (L: number): number => 4 * 4096 ** 2 + 2 * 4096 * L + 3 * 4096 * 11008;
    expect(f.decode.layers[7]).toBe(step(641) + step(642));
    expect(f.decode.total).toBe(32 * (step(641) + step(642)));
    expect(f.lmHead).toEqual({ positions: 3, total: 3 * 4096 * 32064 });
    expect(f.total).toBe(f.vision.total + f.projector.total + f.prefill.total + f.decode.total + f.lmHead.total + 1e9);
    // A ViT-L/14-336 forward to layer 23 is 0.183 TFLOPs (MAC-style), the projector 12.1 GFLOPs.
    expect(formatFlops(f.vision.total)).toBe('183 GFLOPs');
    expect(formatFlops(f.projector.total)).toBe('12.1 GFLOPs');
  });

  it('scales the vision tower with frames and rejects counts that do not match the layers', () => {
    const one = uniformFlops(llava7b, { visualTokens: 576 });
    const eight = uniformFlops(llava7b, { visualTokens: 576, images: 8 });
    expect(eight.vision.total).toBe(8 * one.vision.total);
    expect(() => computeFlops({ dims: llava7b, prefillTokensPerLayer: [576], projectorTokens: 576 })).toThrow(/1 entries but llava-1.5-7b has 32 decoder layers/);
    expect(() => computeFlops({ dims: llava7b, prefillTokensPerLayer: Array(32).fill(-1), projectorTokens: 0 })).toThrow(/≥ 0/);
  });

  it('13B preset: 40 layers of d = 5120, m = 13824', () => {
    const f = uniformFlops(FLOPS_PRESETS['llava-1.5-13b'], { visualTokens: 576 });
    expect(f.prefill.total).toBe(40 * (4 * 576 * 5120 ** 2 + 2 * 576 ** 2 * 5120 + 3 * 576 * 5120 * 13824));
    expect(formatFlops(f.prefill.total)).toBe('7.44 TFLOPs');
  });
});
