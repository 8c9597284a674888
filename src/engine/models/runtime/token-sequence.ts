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
  /** For each row, 1 when it is a visual token. Visual rows must stay one contiguous block. */
  visual: Uint8Array;
  /** RoPE position id of each row (decoder stage; the ViT stage leaves them 0..n-1 and unused). */
  positions: number[];

  constructor(hidden: Float32Array, readonly dim: number, visual: Uint8Array, positions?: number[], sources?: Int32Array) {
    const n = hidden.length / dim;
    if (!Number.isInteger(n)) throw new Error(`TokenSequence: ${hidden.length} values are not rows of width ${dim}.`);
    if (visual.length !== n) throw new Error(`TokenSequence: visual mask has ${visual.length} entries for ${n} rows.`);
    this.hidden = hidden;
    this.visual = visual;
    this.positions = positions ?? Array.from({ length: n }, (_, i) => i);
    this.sources = sources ?? Int32Array.from({ length: n }, (_, i) => i);
    if (this.positions.length !== n || this.sources.length !== n) throw new Error(`TokenSequence: positions/sources must have ${n} entries.`);
    this.visualSpan();
  }

  /** Number of rows. */
  get length(): number {
    return this.hidden.length / this.dim;
  }

  /** The visual block as [start, count); count 0 (start = length) when none. Throws when not contiguous. */
  visualSpan(): { start: number; count: number } {
    const first = this.visual.indexOf(1);
    if (first < 0) return { start: this.length, count: 0 };
    let count = 0;
    while (first + count < this.visual.length && this.visual[first + count] === 1) count++;
    if (this.visual.indexOf(1, first + count) >= 0) throw new Error('TokenSequence: visual rows are no longer one contiguous block; gather them in [before, visual, after] order.');
    return { start: first, count };
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
    const hidden = new Float32Array(rows.length * this.dim);
    rows.forEach((r, i) => {
      if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`TokenSequence.gather: row ${r} is outside 0..${n - 1}.`);
      hidden.set(this.row(r), i * this.dim);
    });
    const visual = Uint8Array.from(rows, (r) => this.visual[r]!);
    const positions = rows.map((r) => this.positions[r]!);
    const sources = Int32Array.from(rows, (r) => this.sources[r]!);
    this.hidden = hidden;
    this.visual = visual;
    this.positions = positions;
    this.sources = sources;
    this.visualSpan();
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
    this.positions = Array.from({ length: this.length }, (_, i) => i);
  }

  /** A deep copy (hooks that want to compare before/after). */
  clone(): TokenSequence {
    return new TokenSequence(this.hidden.slice(), this.dim, this.visual.slice(), [...this.positions], this.sources.slice());
  }
}
