/**
 * TokenSequence: the hidden states flowing between layers, with the bookkeeping pruners need —
 * where each row came from, which rows are visual, and the RoPE position id of each row.
 *
 * The runtime creates one per stage (per frame inside the ViT, one over all visual tokens before
 * the LLM, one for the decoder prefill) and hands it to hooks, which edit it only through
 * `gather`, `setHidden` and the position methods so the bookkeeping stays consistent.
 */

/** Rows of a sequence, [length, dim] row-major, plus provenance. */
export class TokenSequence {
  /** Hidden states [length, dim], row-major float32. */
  hidden: Float32Array;
  /** For each row, its index in the sequence this stage started with (stable across gathers). */
  sources: Int32Array;
  private mask: Uint8Array;
  /** The visual block, checked and cached whenever the rows change (hooks ask for it at every layer). */
  private span: { start: number; count: number };
  /** RoPE position id of each row (decoder stage; the ViT stage leaves them 0..n-1 and unused). */
  positions: number[];

  constructor(hidden: Float32Array, readonly dim: number, visual: Uint8Array, positions?: number[], sources?: Int32Array) {
    const n = hidden.length / dim;
    if (!Number.isInteger(n)) throw new Error(`TokenSequence: ${hidden.length} values are not rows of width ${dim}.`);
    if (visual.length !== n) throw new Error(`TokenSequence: visual mask has ${visual.length} entries for ${n} rows.`);
    this.hidden = hidden;
    this.mask = visual;
    this.positions = positions ?? iota(n);
    this.sources = sources ?? Int32Array.from(iota(n));
    if (this.positions.length !== n || this.sources.length !== n) throw new Error(`TokenSequence: positions/sources must have ${n} entries.`);
    this.span = contiguousSpan(visual);
  }

  /** For each row, 1 when it is a visual token (read only: rows change through `gather`). */
  get visual(): Uint8Array {
    return this.mask;
  }

  /** Number of rows. */
  get length(): number {
    return this.hidden.length / this.dim;
  }

  /** The visual block as [start, count); count 0 (start = length) when none. */
  visualSpan(): { start: number; count: number } {
    return { start: this.span.start, count: this.span.count };
  }

  /** One row's hidden state (a view, not a copy). */
  row(i: number): Float32Array {
    return this.hidden.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /**
   * Keeps `rows` (indices into the current sequence) in the given order; positions, sources and
   * the visual mask follow their rows. Pass ascending indices to keep the original order.
   */
  gather(rows: readonly number[]): void {
    const n = this.length;
    const dim = this.dim;
    const k = rows.length;
    const hidden = new Float32Array(k * dim);
    const visual = new Uint8Array(k);
    const positions: number[] = [];
    const sources = new Int32Array(k);
    // Plain loops, and one copy per run of consecutive rows (the text around the visual block,
    // kept tokens in order): this runs once or twice per answer, too rarely for V8 to optimise.
    for (let i = 0; i < k; ) {
      const r = rows[i]!;
      if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`TokenSequence.gather: row ${r} is outside 0..${n - 1}.`);
      let j = i + 1;
      while (j < k && rows[j] === rows[j - 1]! + 1 && rows[j]! < n) j++;
      hidden.set(this.hidden.subarray(r * dim, (r + j - i) * dim), i * dim);
      for (let t = i; t < j; t++) {
        const q = rows[t]!;
        visual[t] = this.mask[q]!;
        positions.push(this.positions[q]!);
        sources[t] = this.sources[q]!;
      }
      i = j;
    }
    const span = contiguousSpan(visual);
    this.hidden = hidden;
    this.mask = visual;
    this.positions = positions;
    this.sources = sources;
    this.span = span;
  }

  /** Replaces the hidden states of all rows (same length), e.g. after merging tokens into representatives. */
  setHidden(hidden: Float32Array): void {
    if (hidden.length !== this.hidden.length) throw new Error(`TokenSequence.setHidden: got ${hidden.length} values, expected ${this.hidden.length} (${this.length}×${this.dim}).`);
    this.hidden = hidden;
  }

  /** Sets explicit position ids (e.g. original positions kept, P1). */
  setPositions(positions: readonly number[]): void {
    if (positions.length !== this.length) throw new Error(`TokenSequence.setPositions: got ${positions.length} ids for ${this.length} rows.`);
    this.positions = [...positions];
  }

  /** Renumbers positions 0..n-1 (compact convention, P2). */
  compactPositions(): void {
    this.positions = iota(this.length);
  }

  /** A deep copy (hooks that want to compare before/after). */
  clone(): TokenSequence {
    return new TokenSequence(this.hidden.slice(), this.dim, this.visual.slice(), [...this.positions], this.sources.slice());
  }
}

/** The one block of 1s in `mask` as [start, count) (start = length when none); throws when there are several. */
function contiguousSpan(mask: Uint8Array): { start: number; count: number } {
  const first = mask.indexOf(1);
  if (first < 0) return { start: mask.length, count: 0 };
  const end = mask.indexOf(0, first);
  const count = (end < 0 ? mask.length : end) - first;
  if (end >= 0 && mask.indexOf(1, end) >= 0) throw new Error('TokenSequence: visual rows are no longer one contiguous block; gather them in [before, visual, after] order.');
  return { start: first, count };
}

/** [0, 1, …, n − 1] by a plain loop (Array.from with a callback costs a call per row in the interpreter). */
function iota(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i);
  return out;
}
