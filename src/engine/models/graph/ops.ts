/**
 * Op helpers shared by the vision, projector and decoder graph builders. Conventions (batch 1):
 * token sequences are 2-D [T, D]; attention works on [heads, T, headDim]. Weights arrive in
 * PyTorch layout ([out, in] for linears) and are transposed here once, at build time, so the
 * graph runs a plain MatMul.
 */
import type { Activation } from '../checkpoint/types';
import type { GraphBuilder, Value } from './graph-builder';

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  if (data.length !== rows * cols) throw new Error(`transpose2d: ${data.length} values do not form a ${rows}×${cols} matrix.`);
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c]!;
  }
  return out;
}

/** x·Wᵀ (+ b) for a PyTorch linear weight W of shape [outDim, inDim]. */
export function linear(g: GraphBuilder, x: Value, name: string, weight: Float32Array, outDim: number, inDim: number, bias?: Float32Array): Value {
  const w = g.weight(`${name}.weight_t`, transpose2d(weight, outDim, inDim), [inDim, outDim]);
  const y = g.op('MatMul', [x, w]);
  if (!bias) return y;
  return g.op('Add', [y, g.weight(`${name}.bias`, bias, [outDim])]);
}

/** LayerNorm over the last axis (opset-17 LayerNormalization, as torch.nn.LayerNorm). */
export function layerNorm(g: GraphBuilder, x: Value, name: string, weight: Float32Array, bias: Float32Array, eps: number): Value {
  const w = g.weight(`${name}.weight`, weight, [weight.length]);
  const b = g.weight(`${name}.bias`, bias, [bias.length]);
  return g.op('LayerNormalization', [x, w, b], { axis: -1, epsilon: { float: eps } });
}

/**
 * Llama RMSNorm: x / sqrt(mean(x²) + eps) · w over the last axis, as onnxruntime's one-node
 * SimplifiedLayerNormalization (an ORT operator in the default domain) instead of the six
 * elementwise nodes it stands for: each node has a fixed cost per run that dominates short
 * sequences. ORT accumulates the mean square in double where HF uses float32 (differences of
 * order 1e-7, far inside the 1e-3 parity bound).
 */
export function rmsNorm(g: GraphBuilder, x: Value, name: string, weight: Float32Array, eps: number): Value {
  return g.op('SimplifiedLayerNormalization', [x, g.weight(`${name}.weight`, weight, [weight.length])], { axis: -1, epsilon: { float: eps } });
}

/** Elementwise activation by its HF config name. */
export function activation(g: GraphBuilder, x: Value, act: Activation): Value {
  switch (act) {
    case 'quick_gelu':
      return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.float(1.702)])])]);
    case 'gelu': {
      // Exact GELU: 0.5·x·(1 + erf(x/√2)).
      const erf = g.op('Erf', [g.op('Mul', [x, g.float(Math.SQRT1_2)])]);
      return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [erf, g.float(1)])]);
    }
    case 'gelu_pytorch_tanh':
    case 'gelu_new': {
      const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, g.float(0.044715)])]), g.float(Math.sqrt(2 / Math.PI))]);
      return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.float(1)])]);
    }
    case 'silu':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'relu':
      return g.op('Relu', [x]);
  }
}

/** [T, H·hd] → [H, T, hd]. */
export function splitHeads(g: GraphBuilder, x: Value, heads: number, headDim: number): Value {
  const r = g.op('Reshape', [x, g.int64([-1, heads, headDim])]);
  return g.op('Transpose', [r], { perm: [1, 0, 2] });
}

/** [H, T, hd] → [T, H·hd]. */
export function mergeHeads(g: GraphBuilder, x: Value, heads: number, headDim: number): Value {
  const t = g.op('Transpose', [x], { perm: [1, 0, 2] });
  return g.op('Reshape', [t, g.int64([-1, heads * headDim])]);
}

/** Llama inverse frequencies 1/θ^(2i/hd), as float32 like HF computes them. */
export function ropeInverseFrequencies(headDim: number, theta: number): Float32Array {
  const inv = new Float32Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) inv[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  return inv;
}

/** cos and sin tables [T, hd] for int64 position ids [T] (HF: freqs = pos ⊗ inv_freq, emb = [freqs, freqs]). */
export function ropeTables(g: GraphBuilder, positionIds: Value, headDim: number, theta: number): { cos: Value; sin: Value } {
  const pos = g.op('Unsqueeze', [g.op('Cast', [positionIds], { to: 1 }), g.int64([1])]);
  const inv = g.float(Array.from(ropeInverseFrequencies(headDim, theta)), [1, headDim / 2]);
  const freqs = g.op('Mul', [pos, inv]);
  const emb = g.op('Concat', [freqs, freqs], { axis: -1 });
  return { cos: g.op('Cos', [emb]), sin: g.op('Sin', [emb]) };
}

/** Rotary embedding on [H, T, hd]: x·cos + rotate_half(x)·sin, rotate_half = [-x₂, x₁] (HF Llama). */
export function applyRope(g: GraphBuilder, x: Value, cos: Value, sin: Value): Value {
  const [x1, x2] = g.opMulti('Split', [x], 2, { axis: -1, num_outputs: 2 }) as [Value, Value];
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])]);
}

/** Grouped-query attention: [Hkv, S, hd] → [Hkv·groups, S, hd], each kv head repeated `groups` times in place (HF repeat_kv). */
export function repeatKv(g: GraphBuilder, x: Value, kvHeads: number, groups: number, headDim: number): Value {
  if (groups === 1) return x;
  const expanded = g.op('Expand', [g.op('Unsqueeze', [x, g.int64([1])]), g.int64([1, groups, 1, 1])]);
  return g.op('Reshape', [expanded, g.int64([kvHeads * groups, -1, headDim])]);
}

/**
 * Scaled dot-product attention on [H, T, hd] queries and [H, S, hd] keys/values. `mask` is an
 * additive [T, S] float mask (0 or a large negative) or null for full attention. Returns the
 * context [H, T, hd] and the softmax probabilities [H, T, S] (which probes reduce, never output).
 */
export function attention(g: GraphBuilder, q: Value, k: Value, v: Value, scale: number, mask: Value | null): { context: Value; probs: Value } {
  const kt = g.op('Transpose', [k], { perm: [0, 2, 1] });
  let scores = g.op('Mul', [g.op('MatMul', [q, kt]), g.float(scale)]);
  if (mask) scores = g.op('Add', [scores, mask]);
  const probs = g.op('Softmax', [scores], { axis: -1 });
  return { context: g.op('MatMul', [probs, v]), probs };
}

/** Head mean of chosen query rows: probs [H, T, S], rows int64 [R] → [R, S]. */
export function headMeanRows(g: GraphBuilder, probs: Value, rows: Value): Value {
  const picked = g.op('Gather', [probs, rows], { axis: 1 });
  return g.op('ReduceMean', [picked, g.int64([0])], { keepdims: 0 });
}

/**
 * Per-token transition statistics of a sublayer (TransPrune): ‖out‖/‖in‖ and cos(in, out) over
 * the last axis of [T, D] tensors. Cosine uses torch's eps clamp (1e-8) on the norm product.
 */
export function transitionStats(g: GraphBuilder, input: Value, output: Value): { ratio: Value; cos: Value } {
  const axes = g.int64([-1]);
  const nIn = g.op('ReduceL2', [input, axes], { keepdims: 0 });
  const nOut = g.op('ReduceL2', [output, axes], { keepdims: 0 });
  const dot = g.op('ReduceSum', [g.op('Mul', [input, output]), axes], { keepdims: 0 });
  const denom = g.op('Max', [g.op('Mul', [nIn, nOut]), g.float(1e-8)]);
  return { ratio: g.op('Div', [nOut, nIn]), cos: g.op('Div', [dot, denom]) };
}

/**
 * Cosine similarities of every pair of rows of x [N, D]: [N, N]. Rows are scaled to unit norm
 * first (a zero row stays zero, so its cosines are 0, as matrix.ts normalizeRows leaves it), then
 * one MatMul with the transpose: the GEMM kernel does the N²·D multiply-adds that a method would
 * otherwise run in JavaScript or WebAssembly once per answer.
 */
export function cosineGram(g: GraphBuilder, x: Value): Value {
  const norm = g.op('ReduceL2', [x, g.int64([-1])], { keepdims: 1 });
  const unit = g.op('Div', [x, g.op('Max', [norm, g.float(1e-30)])]);
  return g.op('MatMul', [unit, g.op('Transpose', [unit], { perm: [1, 0] })]);
}
