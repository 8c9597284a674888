/**
 * Small helpers for ORT tensors and the masks the decoder graphs take.
 */
import * as ort from 'onnxruntime-node';

/** Additive mask value for hidden keys: large enough that exp() underflows to exactly 0 in float32. */
export const MASKED = -1e9;

/** A float32 tensor over `data` (no copy). */
export function f32(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** An int64 tensor from plain numbers. */
export function i64(values: readonly number[]): ort.Tensor {
  // A plain loop: BigInt64Array.from with a callback costs a call per value, every layer run.
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', out, [values.length]);
}

/** The float32 data of an output tensor (throws naming the output when it is missing). */
export function data(outputs: Record<string, ort.Tensor>, name: string, graph: string): Float32Array {
  const t = outputs[name];
  if (!t) throw new Error(`Graph '${graph}' returned no output '${name}'.`);
  return t.data as Float32Array;
}

/** Causal mask [T, P+T]: new token t (at cache slot P+t) sees cache slots 0..P+t. */
export function causalMask(T: number, P = 0): Float32Array {
  const S = P + T;
  const m = new Float32Array(T * S);
  for (let t = 0; t < T; t++) m.fill(MASKED, t * S + P + t + 1, (t + 1) * S);
  return m;
}

/** Rows of a causal [T, T] mask for chosen query rows: [R, T]. */
export function causalRowMask(rows: readonly number[], T: number): Float32Array {
  const m = new Float32Array(rows.length * T);
  rows.forEach((r, i) => m.fill(MASKED, i * T + r + 1, (i + 1) * T));
  return m;
}

/** Index of the largest value (first on ties, as torch.argmax). */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Softmax in float64 for reporting distributions. */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  for (let i = 0; i < logits.length; i++) out[i] = Math.exp(logits[i]! - max) / sum;
  return out;
}

/** An empty past K or V [kvHeads, 0, headDim] for prefill through graphs that take a past. */
export function emptyPast(kvHeads: number, headDim: number): ort.Tensor {
  return new ort.Tensor('float32', new Float32Array(0), [kvHeads, 0, headDim]);
}
