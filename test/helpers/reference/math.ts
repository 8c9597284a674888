/**
 * Float64 building blocks of the reference implementation. Layouts match the engine: sequences are
 * row-major [T, D]; multi-head tensors are [T, H·hd] with head h in columns h·hd…(h+1)·hd.
 * Written for clarity, not speed: the tiny test models keep every loop small.
 */
import type { Activation } from '../../../src/engine/models/checkpoint/types';

export type F64 = Float64Array;

/** Float32 → Float64 copy. */
export function f64(a: ArrayLike<number>): F64 {
  return Float64Array.from(a);
}

/** x [T, inDim] · Wᵀ + b for a PyTorch weight W [outDim, inDim]. */
export function linear(x: F64, T: number, inDim: number, W: ArrayLike<number>, outDim: number, b?: ArrayLike<number>): F64 {
  const y = new Float64Array(T * outDim);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < outDim; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < inDim; i++) s += x[t * inDim + i]! * W[o * inDim + i]!;
      y[t * outDim + o] = s;
    }
  }
  return y;
}

/** Elementwise a + b. */
export function add(a: F64, b: F64): F64 {
  return a.map((v, i) => v + b[i]!);
}

/** torch.nn.LayerNorm over the last axis (biased variance). */
export function layerNorm(x: F64, T: number, D: number, w: ArrayLike<number>, b: ArrayLike<number>, eps: number): F64 {
  const y = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let i = 0; i < D; i++) mean += x[t * D + i]!;
    mean /= D;
    let v = 0;
    for (let i = 0; i < D; i++) v += (x[t * D + i]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / D + eps);
    for (let i = 0; i < D; i++) y[t * D + i] = (x[t * D + i]! - mean) * inv * w[i]! + b[i]!;
  }
  return y;
}

/** Llama RMSNorm. */
export function rmsNorm(x: F64, T: number, D: number, w: ArrayLike<number>, eps: number): F64 {
  const y = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    let ms = 0;
    for (let i = 0; i < D; i++) ms += x[t * D + i]! ** 2;
    const inv = 1 / Math.sqrt(ms / D + eps);
    for (let i = 0; i < D; i++) y[t * D + i] = x[t * D + i]! * inv * w[i]!;
  }
  return y;
}

/** erf to ~1e-15: Maclaurin series for |x| < 3, the erfc continued fraction beyond. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 3) {
    let k = ax;
    for (let n = 80; n >= 1; n--) k = ax + n / 2 / k;
    return Math.sign(x) * (1 - Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * k));
  }
  let sum = x;
  let term = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Activation by HF name. */
export function activate(x: F64, act: Activation): F64 {
  return x.map((v) => {
    switch (act) {
      case 'quick_gelu':
        return v / (1 + Math.exp(-1.702 * v));
      case 'gelu':
        return 0.5 * v * (1 + erf(v / Math.SQRT2));
      case 'gelu_pytorch_tanh':
      case 'gelu_new':
        return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      case 'silu':
        return v / (1 + Math.exp(-v));
      case 'relu':
        return Math.max(0, v);
    }
  });
}

/** Rotary embedding on [T, H·hd] (HF rotate_half convention) at the given positions. */
export function rope(x: F64, positions: readonly number[], H: number, hd: number, theta: number): F64 {
  const y = new Float64Array(x.length);
  const half = hd / 2;
  positions.forEach((p, t) => {
    for (let h = 0; h < H; h++) {
      const base = t * H * hd + h * hd;
      for (let i = 0; i < half; i++) {
        const angle = p / Math.pow(theta, (2 * i) / hd);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        const a = x[base + i]!;
        const b = x[base + i + half]!;
        y[base + i] = a * c - b * s;
        y[base + i + half] = b * c + a * s;
      }
    }
  });
  return y;
}

/** Softmax attention result: context [T, H·hd] and full probabilities [H, T, S] (reference only). */
export interface AttentionResult {
  context: F64;
  probs: F64;
}

/**
 * Multi-head attention with GQA (query head h reads kv head ⌊h / (H/Hkv)⌋). `masked(t, s)` says
 * whether key s is hidden from query t (causal masks); null means full attention.
 */
export function attention(q: F64, k: F64, v: F64, T: number, S: number, H: number, Hkv: number, hd: number, masked: ((t: number, s: number) => boolean) | null): AttentionResult {
  const groups = H / Hkv;
  const context = new Float64Array(T * H * hd);
  const probs = new Float64Array(H * T * S);
  const scale = 1 / Math.sqrt(hd);
  for (let h = 0; h < H; h++) {
    const kh = Math.floor(h / groups);
    for (let t = 0; t < T; t++) {
      const row = new Float64Array(S);
      let max = -Infinity;
      for (let s = 0; s < S; s++) {
        if (masked?.(t, s)) {
          row[s] = -Infinity;
          continue;
        }
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += q[t * H * hd + h * hd + i]! * k[s * Hkv * hd + kh * hd + i]!;
        row[s] = dot * scale;
        max = Math.max(max, row[s]!);
      }
      let sum = 0;
      for (let s = 0; s < S; s++) sum += row[s] = Math.exp(row[s]! - max);
      for (let s = 0; s < S; s++) {
        const p = row[s]! / sum;
        probs[h * T * S + t * S + s] = p;
        for (let i = 0; i < hd; i++) context[t * H * hd + h * hd + i] = context[t * H * hd + h * hd + i]! + p * v[s * Hkv * hd + kh * hd + i]!;
      }
    }
  }
  return { context, probs };
}

/** Head mean of the probabilities of chosen query rows: [R, S]. */
export function headMeanRows(probs: F64, H: number, T: number, S: number, rows: readonly number[]): F64 {
  const out = new Float64Array(rows.length * S);
  rows.forEach((r, i) => {
    for (let h = 0; h < H; h++) for (let s = 0; s < S; s++) out[i * S + s] = out[i * S + s]! + probs[h * T * S + r * S + s]! / H;
  });
  return out;
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
