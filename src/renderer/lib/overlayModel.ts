/**
 * What the overlay draws for one method, one frame and one point of the timeline, computed from
 * the token trace alone (pure, so it is tested without a canvas): each original token's state
 * — kept, dropped (by which stage, with the score that decided it) or merged (into which group,
 * and whether it is the slot the merged token is stored at) — plus the merge groups to outline.
 */
import { fatesAt, keptAt, originalsOf, originOf, type TokenFate, type TokenTrace, type TraceStage } from '../../shared/trace';

/** One original token of the frame being drawn. */
export interface OverlayCell {
  index: number;
  row: number;
  col: number;
  fate: TokenFate;
  /** Merged tokens: this cell holds the merged result (the group's `at`, else its first member). */
  target: boolean;
  /** The score that decided a drop, when the method recorded one. */
  score?: number;
}

/** A merge group with members in the frame being drawn. */
export interface OverlayGroup {
  id: number;
  name: string;
  cells: { row: number; col: number }[];
}

/** The drawable state of one frame. */
export interface OverlayModel {
  frame: number;
  rows: number;
  cols: number;
  cells: OverlayCell[];
  groups: OverlayGroup[];
  /** Live visual tokens of the whole input at this step (every frame): what the trace says is kept. */
  kept: number;
  /** Cells of this frame shown as kept (not merged, not dropped). */
  keptInFrame: number;
  /** Smallest and largest recorded drop score in this frame, for the heat map; null when none. */
  scoreRange: [number, number] | null;
  /** Which stages dropped tokens in this frame (for the legend). */
  dropStages: TraceStage[];
}

function targetOf(trace: TokenTrace, groupId: number): number {
  const group = trace.groups[groupId - trace.grid.frames * trace.grid.rows * trace.grid.cols];
  if (!group) return -1;
  return originalsOf(trace, group.at ?? group.members[0]!)[0] ?? -1;
}

/** The overlay of `frame` after step `stepIndex` (−1: before any step). Throws RangeError on a bad frame or step. */
export function overlayModel(trace: TokenTrace, stepIndex: number, frame = 0): OverlayModel {
  const { rows, cols, frames } = trace.grid;
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames) throw new RangeError(`frame ${frame} is not in 0..${frames - 1}`);
  const fates = fatesAt(trace, stepIndex);
  const perFrame = rows * cols;
  const cells: OverlayCell[] = [];
  const groups = new Map<number, OverlayGroup>();
  const targets = new Map<number, number>();
  const stages = new Set<TraceStage>();
  let keptInFrame = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = frame * perFrame; i < (frame + 1) * perFrame; i++) {
    const fate = fates[i]!;
    const { row, col } = originOf(trace.grid, i);
    const cell: OverlayCell = { index: i, row, col, fate, target: false };
    if (fate.kind === 'kept') keptInFrame++;
    else if (fate.kind === 'dropped') {
      stages.add(fate.stage);
      if (fate.score !== undefined && Number.isFinite(fate.score)) {
        cell.score = fate.score;
        lo = Math.min(lo, fate.score);
        hi = Math.max(hi, fate.score);
      }
    } else {
      if (!targets.has(fate.group)) targets.set(fate.group, targetOf(trace, fate.group));
      cell.target = targets.get(fate.group) === i;
      const group = groups.get(fate.group) ?? { id: fate.group, name: fate.name, cells: [] };
      group.cells.push({ row, col });
      groups.set(fate.group, group);
    }
    cells.push(cell);
  }
  return {
    frame,
    rows,
    cols,
    cells,
    groups: [...groups.values()],
    kept: keptAt(trace, stepIndex).length,
    keptInFrame,
    scoreRange: lo <= hi ? [lo, hi] : null,
    dropStages: [...stages],
  };
}

/** Human text of a token's fate for the hover card, e.g. "dropped before the LLM (score 0.0123)". */
export function describeFate(fate: TokenFate): string {
  switch (fate.kind) {
    case 'kept':
      return 'kept';
    case 'merged':
      return `merged into ${fate.name} (token ${fate.group})`;
    case 'dropped': {
      const where = fate.stage === 'llm' ? `after decoder layer ${fate.layer ?? '?'}` : fate.stage === 'vit' ? `in the ViT${fate.layer === undefined ? '' : ` (layer ${fate.layer})`}` : fate.stage === 'vision' ? 'before the LLM' : 'from the KV cache';
      return `dropped ${where}`;
    }
  }
}
