import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildDecoderLayerGraph, buildLmHeadGraph, buildQueryKeyScoreGraph } from '../../../../src/engine/models/graph/decoder-graphs';
import { decoderLayerRef, lmHeadRef, queryKeyRowsRef } from '../../../helpers/reference/decoder';
import { maxAbsDiff } from '../../../helpers/reference/math';
import { MapTensorStore, seededRandom, tinyModel } from '../../../helpers/tiny-model';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  return session.run(feeds);
}

function causal(T: number, P = 0): Float32Array {
  const m = new Float32Array(T * (P + T));
  for (let t = 0; t < T; t++) for (let s = 0; s < P + T; s++) m[t * (P + T) + s] = s > P + t ? -1e9 : 0;
  return m;
}

const empty = (kvHeads: number, hd: number): ort.Tensor => new ort.Tensor('float32', new Float32Array(0), [kvHeads, 0, hd]);
const i64 = (v: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]);

describe.each([
  { name: 'MHA', kvHeads: 4 },
  { name: 'GQA', kvHeads: 2 },
])('decoder layer graph ($name)', ({ kvHeads }) => {
  const model = tinyModel({ kvHeads, seed: 7 });
  const cfg = model.config.text;
  const D = cfg.hiddenSize;
  const T = 9;
  const rand = seededRandom(3);
  const x = Float32Array.from({ length: T * D }, () => 2 * rand() - 1);
  const positions = [0, 1, 2, 3, 5, 8, 9, 10, 11]; // non-contiguous, as after pruning with original positions

  it('matches the float64 reference for output, KV cache and every probe', async () => {
    const g = buildDecoderLayerGraph(model.weights, cfg, 1, { attentionRows: true, transitions: true });
    const rows = [6, 7, 8];
    const out = await run(g.toBytes(), {
      hidden: new ort.Tensor('float32', x, [T, D]),
      position_ids: i64(positions),
      attn_mask: new ort.Tensor('float32', causal(T), [T, T]),
      probe_rows: i64(rows),
      past_key: empty(kvHeads, cfg.headDim),
      past_value: empty(kvHeads, cfg.headDim),
    });
    const ref = decoderLayerRef(Float64Array.from(x), positions, model.weights, cfg, 1);
    expect(maxAbsDiff(out.hidden_out!.data as Float32Array, ref.out)).toBeLessThan(1e-4);
    // Engine K is [Hkv, S, hd]; reference is [S, Hkv·hd].
    const hd = cfg.headDim;
    const k = out.present_key!.data as Float32Array;
    const kRef = new Float64Array(k.length);
    for (let s = 0; s < T; s++) for (let h = 0; h < kvHeads; h++) for (let i = 0; i < hd; i++) kRef[(h * T + s) * hd + i] = ref.cache.k[s * kvHeads * hd + h * hd + i]!;
    expect(maxAbsDiff(k, kRef)).toBeLessThan(1e-4);
    const rowsRef = new Float64Array(rows.length * T);
    rows.forEach((r, i) => {
      for (let h = 0; h < cfg.numHeads; h++) for (let s = 0; s < T; s++) rowsRef[i * T + s] = rowsRef[i * T + s]! + ref.probs[h * T * T + r * T + s]! / cfg.numHeads;
    });
    expect(maxAbsDiff(out.attn_rows!.data as Float32Array, rowsRef)).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.attn_ratio!.data as Float32Array, ref.attnRatio)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.attn_cos!.data as Float32Array, ref.attnCos)).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.mlp_ratio!.data as Float32Array, ref.mlpRatio)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.mlp_cos!.data as Float32Array, ref.mlpCos)).toBeLessThan(1e-5);
  });

  it('with a past K/V (empty in prefill) equals running the whole sequence at once (last rows)', async () => {
    const P = 6;
    const full = decoderLayerRef(Float64Array.from(x), positions, model.weights, cfg, 0);
    const layer0 = buildDecoderLayerGraph(model.weights, cfg, 0, {}).toBytes();
    const first = await run(layer0, {
      hidden: new ort.Tensor('float32', x.slice(0, P * D), [P, D]),
      position_ids: i64(positions.slice(0, P)),
      attn_mask: new ort.Tensor('float32', causal(P), [P, P]),
      past_key: empty(kvHeads, cfg.headDim),
      past_value: empty(kvHeads, cfg.headDim),
    });
    const rest = await run(layer0, {
      hidden: new ort.Tensor('float32', x.slice(P * D), [T - P, D]),
      position_ids: i64(positions.slice(P)),
      attn_mask: new ort.Tensor('float32', causal(T - P, P), [T - P, T]),
      past_key: first.present_key!,
      past_value: first.present_value!,
    });
    expect(maxAbsDiff(rest.hidden_out!.data as Float32Array, full.out.slice(P * D))).toBeLessThan(1e-4);
    expect(rest.present_key!.dims).toEqual([kvHeads, T, cfg.headDim]);
  });

  it('next-layer q·k rows and the LM head match the reference', async () => {
    const rows = [0, 4, 8];
    const rowMask = new Float32Array(rows.length * T);
    rows.forEach((r, i) => {
      for (let s = 0; s < T; s++) rowMask[i * T + s] = s > r ? -1e9 : 0;
    });
    const qk = await run(buildQueryKeyScoreGraph(model.weights, cfg, 2).toBytes(), {
      hidden: new ort.Tensor('float32', x, [T, D]),
      position_ids: i64(positions),
      probe_rows: i64(rows),
      row_mask: new ort.Tensor('float32', rowMask, [rows.length, T]),
    });
    expect(maxAbsDiff(qk.qk_rows!.data as Float32Array, queryKeyRowsRef(Float64Array.from(x), positions, model.weights, cfg, 2, rows))).toBeLessThan(1e-5);
    const head = await run(buildLmHeadGraph(model.weights, cfg).toBytes(), { hidden: new ort.Tensor('float32', x, [T, D]) });
    expect(head.logits!.dims).toEqual([T, cfg.vocabSize]);
    expect(maxAbsDiff(head.logits!.data as Float32Array, lmHeadRef(Float64Array.from(x), T, model.weights, cfg))).toBeLessThan(1e-4);
  });
});

describe('decoder layer at the reference model size', () => {
  // Guards float32 accumulation and float32 RoPE angles at realistic widths and positions:
  // D = 256, 4 heads / 2 KV heads of 64, T = 188 tokens at positions up to 1187.
  it('stays within 1e-4 of the float64 reference', async () => {
    const rand = seededRandom(99);
    const cfg = { hiddenSize: 256, intermediateSize: 1024, numLayers: 1, numHeads: 4, numKvHeads: 2, headDim: 64, vocabSize: 8, rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 4096, hiddenAct: 'silu' as const, tieWordEmbeddings: false };
    const shapes: Record<string, number[]> = {
      'self_attn.q_proj.weight': [256, 256], 'self_attn.k_proj.weight': [128, 256], 'self_attn.v_proj.weight': [128, 256], 'self_attn.o_proj.weight': [256, 256],
      'input_layernorm.weight': [256], 'post_attention_layernorm.weight': [256], 'mlp.gate_proj.weight': [1024, 256], 'mlp.up_proj.weight': [1024, 256], 'mlp.down_proj.weight': [256, 1024],
    };
    const tensors = new Map(Object.entries(shapes).map(([k, shape]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const scale = shape.length === 1 ? 0 : Math.sqrt(3 / shape[1]!);
      return [`language_model.model.layers.0.${k}`, { shape, data: Float32Array.from({ length: size }, () => (shape.length === 1 ? 1 + 0.2 * (2 * rand() - 1) : (2 * rand() - 1) * scale)) }];
    }));
    const store = new MapTensorStore(tensors);
    const T = 188;
    const D = 256;
    const x = Float32Array.from({ length: T * D }, () => 2 * rand() - 1);
    const positions = Array.from({ length: T }, (_, i) => 1000 + i);
    const out = await run(buildDecoderLayerGraph(store, cfg, 0, {}).toBytes(), {
      hidden: new ort.Tensor('float32', x, [T, D]),
      position_ids: i64(positions),
      attn_mask: new ort.Tensor('float32', causal(T), [T, T]),
      past_key: empty(2, 64),
      past_value: empty(2, 64),
    });
    const ref = decoderLayerRef(Float64Array.from(x), positions, store, cfg, 0);
    expect(maxAbsDiff(out.hidden_out!.data as Float32Array, ref.out)).toBeLessThan(1e-4);
  });
});
