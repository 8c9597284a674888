/**
 * Builds a `TokenTrace` while a run proceeds. The engine starts it from the input grid, applies
 * each method step in run order, optionally reports the token counts it actually fed to decoder
 * layers, and calls `finish`. Steps address tokens by their *position in the current visual
 * sequence* — exactly what pruning algorithms return — and the builder maps positions to token ids.
 *
 * Consistency is checked as the run goes, so a wrong selection fails at the step that made it:
 * positions must be live (in range), each live token is used at most once per step (it cannot be
 * kept twice, kept and merged, or dropped twice), merges name live members, steps go forward
 * in stage and layer order, and observed layer counts must match the trace.
 */
import {
  STAGE_ORDER,
  originalTokenCount,
  type DroppedToken,
  type LayerCount,
  type MergeGroup,
  type PositionConvention,
  type TokenTrace,
  type TraceGrid,
  type TraceStage,
  type TraceStep,
} from './trace';

/** One entry of the visual sequence after a step: a kept live token, or a merge of several. */
export type SequenceEntry = { keep: number } | { merge: readonly number[]; name: string; at?: number };

/** Where a step acts and what to call it. */
export interface StepInfo {
  stage: TraceStage;
  /** ViT layer (vit) or decoder layer (llm) after which the step acts. */
  layer?: number;
  /** vit steps: the frame acted on; ViT steps are ordered by (frame, layer). */
  frame?: number;
  label: string;
  /** kv steps: the decoder layers whose caches were compacted, inclusive. */
  kvLayers?: { from: number; to: number };
}

/** Thrown when a step contradicts the trace so far; the message names the step and the token. */
export class TraceConsistencyError extends Error {
  override name = 'TraceConsistencyError';
}

/** The tokens one step dropped, kept as typed arrays until `finish` builds the trace's objects. */
interface StepDrops {
  ids: Int32Array;
  /** Present when the step had scores: the score of each dropped token, exactly as given. */
  scores: Float64Array | null;
}

/** `label (stage layer L)`, the name errors give a step; built only when one is thrown. */
function stepName(info: StepInfo): string {
  return `${info.label} (${info.stage}${info.layer === undefined ? '' : ` layer ${info.layer}`})`;
}

export class TraceBuilder {
  readonly grid: TraceGrid;
  readonly positions: PositionConvention;
  private live: number[];
  /** Steps without their `dropped` list (in `drops`, same index), which `finish` fills in. */
  private readonly steps: TraceStep[] = [];
  private readonly drops: StepDrops[] = [];
  private readonly groups: MergeGroup[] = [];
  private readonly observed = new Map<number, LayerCount>();
  /**
   * Per live position, the number of the last `apply` that used it: a step's "used" set without
   * allocating and clearing a mask per step (applies are numbered from 1, the array starts at 0).
   */
  private claimedIn = new Uint32Array(0);
  private applyCount = 0;

  /** Starts with every original token of `grid` live, in raster order. */
  constructor(grid: TraceGrid, positions: PositionConvention) {
    this.grid = { ...grid };
    this.positions = positions;
    const n = originalTokenCount(grid);
    this.live = new Array<number>(n);
    for (let i = 0; i < n; i++) this.live[i] = i;
  }

  /** Live visual token ids, in sequence order. */
  get liveIds(): readonly number[] {
    return this.live;
  }

  /** Number of live visual tokens. */
  get visualCount(): number {
    return this.live.length;
  }

  /**
   * Applies one step: the visual sequence becomes `sequence` (positions index the current live
   * sequence); live tokens it does not mention are dropped, each with `scores[position]` when given.
   * Returns the live ids after the step. Throws TraceConsistencyError on any inconsistency, leaving
   * the builder unchanged.
   */
  apply(info: StepInfo, sequence: readonly SequenceEntry[], scores?: ArrayLike<number>): readonly number[] {
    this.checkOrder(info);
    const live = this.live;
    const n = live.length;
    if (scores !== undefined && scores.length !== n) {
      throw new TraceConsistencyError(`${stepName(info)}: ${scores.length} scores for ${n} live tokens`);
    }
    // Every check below runs on every step; only the error messages are built lazily. Nothing
    // is stored until all of them passed, so a throw leaves the builder unchanged (a failed
    // step's stamps in claimedIn are never read again: the next apply has a new number).
    if (this.claimedIn.length < n) this.claimedIn = new Uint32Array(Math.max(n, 2 * this.claimedIn.length));
    const claimed = this.claimedIn;
    const stamp = ++this.applyCount;
    const stepIndex = this.steps.length;
    const firstGroup = originalTokenCount(this.grid) + this.groups.length;
    let newGroups: MergeGroup[] | null = null;
    const order = new Array<number>(sequence.length);
    // Claims are checked inline (a call per position is what this loop would cost otherwise);
    // `rejectClaim` only builds the error.
    let claims = 0;
    for (let i = 0; i < sequence.length; i++) {
      const entry = sequence[i]!;
      if ('keep' in entry) {
        const p = entry.keep;
        if (!(p >= 0 && p < n && (p | 0) === p) || claimed[p] === stamp) this.rejectClaim(p, info);
        claimed[p] = stamp;
        order[i] = live[p]!;
        claims++;
        continue;
      }
      const merge = entry.merge;
      if (merge.length === 0) throw new TraceConsistencyError(`${stepName(info)}: merge '${entry.name}' has no members`);
      const members = new Array<number>(merge.length);
      for (let m = 0; m < members.length; m++) {
        const p = merge[m]!;
        if (!(p >= 0 && p < n && (p | 0) === p) || claimed[p] === stamp) this.rejectClaim(p, info);
        claimed[p] = stamp;
        members[m] = live[p]!;
      }
      claims += members.length;
      newGroups ??= [];
      const group: MergeGroup = { id: firstGroup + newGroups.length, name: entry.name, members, step: stepIndex };
      if (entry.at !== undefined) {
        if (!merge.includes(entry.at)) throw new TraceConsistencyError(`${stepName(info)}: merge '${entry.name}' is stored at position ${entry.at}, which is not one of its members`);
        group.at = live[entry.at]!;
      }
      newGroups.push(group);
      order[i] = group.id;
    }
    // Each live position was claimed at most once (a second claim throws), so the dropped ones
    // number n minus the claims.
    const ids = new Int32Array(n - claims);
    const dropScores = scores === undefined ? null : new Float64Array(n - claims);
    for (let p = 0, d = 0; p < n; p++) {
      if (claimed[p] === stamp) continue;
      ids[d] = live[p]!;
      if (dropScores) dropScores[d] = scores![p]!;
      d++;
    }
    const created = newGroups ? newGroups.map((g) => g.id) : [];
    const step: TraceStep = { stage: info.stage, label: info.label, dropped: [], created, order };
    if (info.layer !== undefined) step.layer = info.layer;
    if (info.frame !== undefined) step.frame = info.frame;
    if (info.kvLayers !== undefined) step.kvLayers = { ...info.kvLayers };
    this.steps.push(step);
    this.drops.push({ ids, scores: dropScores });
    if (newGroups) for (const g of newGroups) this.groups.push(g);
    this.live = order;
    return this.live;
  }

  /** The error for claiming `position` in this apply: not a live position, or already used by it. */
  private rejectClaim(position: number, info: StepInfo): never {
    if (!Number.isInteger(position) || position < 0 || position >= this.live.length) {
      throw new TraceConsistencyError(`${stepName(info)}: position ${position} is not a live token (${this.live.length} live)`);
    }
    throw new TraceConsistencyError(`${stepName(info)}: token ${this.live[position]} (position ${position}) is used twice`);
  }

  /** Shorthand for a pure selection: keeps `positions` in the given order, drops the rest. */
  keep(info: StepInfo, positions: readonly number[], scores?: ArrayLike<number>): readonly number[] {
    return this.apply(info, positions.map((keep) => ({ keep })), scores);
  }

  /**
   * Records the counts the engine actually fed to decoder layer `layer`; `finish` checks them
   * against the trace, so a run whose tensors disagree with its trace cannot produce one.
   */
  observeLayerInput(layer: number, counts: LayerCount): void {
    this.observed.set(layer, { ...counts });
  }

  /**
   * Ends the trace. `nonVisualTokens` is the number of system + text tokens (constant across
   * layers: methods here never remove text). Throws when an observed count disagrees.
   */
  finish(options: { decoderLayers: number; nonVisualTokens: number }): TokenTrace {
    const layers: LayerCount[] = [];
    for (let l = 0; l < options.decoderLayers; l++) {
      const visual = this.visualEntering(l);
      const counts = { visual, total: visual + options.nonVisualTokens };
      const seen = this.observed.get(l);
      if (seen && (seen.visual !== counts.visual || seen.total !== counts.total)) {
        throw new TraceConsistencyError(
          `decoder layer ${l} received ${seen.visual} visual / ${seen.total} total tokens, but the trace says ${counts.visual} / ${counts.total}`,
        );
      }
      layers.push(counts);
    }
    // The trace is the caller's to keep: every object in it is new (dropped lists built here from
    // the typed arrays, the rest copied), in the key order the steps were recorded with.
    const steps = this.steps.map((s, i): TraceStep => {
      const drops = this.drops[i]!;
      const dropped = new Array<DroppedToken>(drops.ids.length);
      for (let d = 0; d < dropped.length; d++) dropped[d] = drops.scores ? { id: drops.ids[d]!, score: drops.scores[d]! } : { id: drops.ids[d]! };
      const out: TraceStep = { ...s, dropped, created: s.created.slice(), order: s.order.slice() };
      if (s.kvLayers) out.kvLayers = { ...s.kvLayers };
      return out;
    });
    return { version: 1 as const, grid: structuredClone(this.grid), positions: this.positions, groups: structuredClone(this.groups), steps, layers };
  }

  private visualEntering(layer: number): number {
    let count = originalTokenCount(this.grid);
    for (const step of this.steps) {
      if (step.stage === 'vit' || step.stage === 'vision' || (step.stage === 'llm' && step.layer! < layer)) count = step.order.length;
    }
    return count;
  }

  private checkOrder(info: StepInfo): void {
    if ((info.stage === 'vit' || info.stage === 'llm') && info.layer === undefined) {
      throw new TraceConsistencyError(`${info.label}: a ${info.stage} step needs the layer it acts after`);
    }
    const last = this.steps[this.steps.length - 1];
    if (!last) return;
    const rank = STAGE_ORDER.indexOf(info.stage);
    const lastRank = STAGE_ORDER.indexOf(last.stage);
    // Within a stage: (frame, layer) never decreases; only ViT steps carry a frame.
    const key = (frame: number | undefined, layer: number | undefined): number => (frame ?? 0) * 1e6 + (layer ?? 0);
    if (rank < lastRank || (rank === lastRank && key(info.frame, info.layer) < key(last.frame, last.layer))) {
      throw new TraceConsistencyError(
        `${info.label}: a ${info.stage} step${info.layer === undefined ? '' : ` at layer ${info.layer}`} cannot follow a ${last.stage} step${last.layer === undefined ? '' : ` at layer ${last.layer}`}`,
      );
    }
  }
}
