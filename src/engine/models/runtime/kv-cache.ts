/**
 * Per-layer KV caches left by prefill: K (after RoPE) and V as [Hkv, S, hd] float32, plus for
 * every cached slot the position id and source row it came from. Layers may differ in length
 * (a pruner that drops tokens after layer ℓ leaves layers ≤ ℓ longer), and each layer has its own
 * next decode position, so every position-id convention (original, compact, per-layer) fits.
 */

/** One layer's cache. */
export interface LayerKvCache {
  /** [Hkv, length, hd]. */
  key: Float32Array;
  /** [Hkv, length, hd]. */
  value: Float32Array;
  length: number;
  /** Position id each slot was computed at. */
  positions: number[];
  /** Source row (index into the initial prefill sequence) of each slot. */
  sources: Int32Array;
  /** RoPE position the next decoded token gets at this layer; incremented after every step. */
  nextPosition: number;
}

/** All layers' caches. */
export class KvCache {
  constructor(
    readonly layers: LayerKvCache[],
    readonly kvHeads: number,
    readonly headDim: number,
  ) {}

  /** The cache of `layer` (throws with the valid range). */
  layer(layer: number): LayerKvCache {
    const c = this.layers[layer];
    if (!c) throw new Error(`KvCache: no layer ${layer}; the model has ${this.layers.length} decoder layers.`);
    return c;
  }

  /**
   * Keeps the slots `slots` (ascending indices into the layer's current cache) of one layer,
   * e.g. to retroactively drop tokens a later layer pruned (MustDrop). `nextPosition` is kept;
   * set it explicitly when the method renumbers (per-layer positions, P3).
   */
  gather(layer: number, slots: readonly number[]): void {
    const c = this.layer(layer);
    const hd = this.headDim;
    const k = slots.length;
    for (const s of slots) if (!Number.isInteger(s) || s < 0 || s >= c.length) throw new Error(`KvCache.gather: slot ${s} outside 0..${c.length - 1} at layer ${layer}.`);
    const key = new Float32Array(this.kvHeads * k * hd);
    const value = new Float32Array(key.length);
    // One copy per run of consecutive slots and head (kept slots are mostly runs: the text, and
    // visual tokens side by side), instead of one per slot.
    for (let i = 0; i < k; ) {
      let j = i + 1;
      while (j < k && slots[j] === slots[j - 1]! + 1) j++;
      const s = slots[i]!;
      for (let h = 0; h < this.kvHeads; h++) {
        const from = (h * c.length + s) * hd;
        const to = (h * k + i) * hd;
        const len = (j - i) * hd;
        key.set(c.key.subarray(from, from + len), to);
        value.set(c.value.subarray(from, from + len), to);
      }
      i = j;
    }
    const positions: number[] = [];
    const sources = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      positions.push(c.positions[slots[i]!]!);
      sources[i] = c.sources[slots[i]!]!;
    }
    c.key = key;
    c.value = value;
    c.positions = positions;
    c.sources = sources;
    c.length = k;
  }

  /** Total cached slots over all layers (memory accounting). */
  totalSlots(): number {
    return this.layers.reduce((a, c) => a + c.length, 0);
  }
}
