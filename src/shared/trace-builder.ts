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

export class TraceBuilder {
  readonly grid: TraceGrid;
  readonly positions: PositionConvention;
  private live: number[];
  private readonly steps: TraceStep[] = [];
  private readonly groups: MergeGroup[] = [];
  private readonly observed = new Map<number, LayerCount>();

  /** Starts with every original token of `grid` live, in raster order. */
  constructor(grid: TraceGrid, positions: PositionConvention) {
    this.grid = { ...grid };
    this.positions = positions;
    this.live = Array.from({ length: originalTokenCount(grid) }, (_, i) => i);
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
    const where = `${info.label} (${info.stage}${info.layer === undefined ? '' : ` layer ${info.layer}`})`;
    if (scores !== undefined && scores.length !== this.live.length) {
      throw new TraceConsistencyError(`${where}: ${scores.length} scores for ${this.live.length} live tokens`);
    }
    const used = new Uint8Array(this.live.length);
    const claim = (position: number): number => {
      if (!Number.isInteger(position) || position < 0 || position >= this.live.length) {
        throw new TraceConsistencyError(`${where}: position ${position} is not a live token (${this.live.length} live)`);
      }
      if (used[position]) throw new TraceConsistencyError(`${where}: token ${this.live[position]} (position ${position}) is used twice`);
      used[position] = 1;
      return this.live[position]!;
    };
    const stepIndex = this.steps.length;
    const firstGroup = originalTokenCount(this.grid) + this.groups.length;
    const newGroups: MergeGroup[] = [];
    const order: number[] = [];
    for (const entry of sequence) {
      if ('keep' in entry) {
        order.push(claim(entry.keep));
        continue;
      }
      if (entry.merge.length === 0) throw new TraceConsistencyError(`${where}: merge '${entry.name}' has no members`);
      const members = entry.merge.map(claim);
      const group: MergeGroup = { id: firstGroup + newGroups.length, name: entry.name, members, step: stepIndex };
      if (entry.at !== undefined) {
        if (!entry.merge.includes(entry.at)) throw new TraceConsistencyError(`${where}: merge '${entry.name}' is stored at position ${entry.at}, which is not one of its members`);
        group.at = this.live[entry.at]!;
      }
      newGroups.push(group);
      order.push(group.id);
    }
    const dropped: DroppedToken[] = [];
    for (let p = 0; p < this.live.length; p++) {
      if (used[p]) continue;
      const drop: DroppedToken = { id: this.live[p]! };
      if (scores !== undefined) drop.score = scores[p]!;
      dropped.push(drop);
    }
    const step: TraceStep = { stage: info.stage, label: info.label, dropped, created: newGroups.map((g) => g.id), order };
    if (info.layer !== undefined) step.layer = info.layer;
    if (info.frame !== undefined) step.frame = info.frame;
    if (info.kvLayers !== undefined) step.kvLayers = { ...info.kvLayers };
    this.steps.push(step);
    this.groups.push(...newGroups);
    this.live = order;
    return this.live;
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
    return structuredClone({ version: 1 as const, grid: this.grid, positions: this.positions, groups: this.groups, steps: this.steps, layers });
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
