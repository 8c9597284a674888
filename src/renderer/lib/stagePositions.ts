/**
 * The stage timeline the viewer's slider replays: input (every token) → after the ViT → before
 * the LLM → after each decoder layer where some method pruned → the KV cache. Several methods
 * share one timeline (their union), so linked views show every method at the same point of the
 * model; a method that did nothing at a position shows its state from before it.
 */
import { STAGE_ORDER, type TokenTrace, type TraceStep } from '../../shared/trace';

/** A point of the model where tokens can change. `layer` only for 'llm'. */
export interface StagePosition {
  key: string;
  stage: 'input' | 'vit' | 'vision' | 'llm' | 'kv';
  layer?: number;
  label: string;
}

/** The position before anything happened. */
export const INPUT_POSITION: StagePosition = { key: 'input', stage: 'input', label: 'Input: every visual token' };

function rank(p: Pick<StagePosition, 'stage' | 'layer'>): number {
  if (p.stage === 'input') return -1;
  // Decoder layers sit between 'llm' and the next stage: at most 1e6 layers, which no model nears.
  return STAGE_ORDER.indexOf(p.stage) * 1e6 + (p.stage === 'llm' ? (p.layer ?? 0) : 0);
}

/** Where a trace step sits on the timeline (all ViT steps, of every frame and layer, count as 'vit'). */
export function positionOfStep(step: Pick<TraceStep, 'stage' | 'layer'>): StagePosition {
  switch (step.stage) {
    case 'vit':
      return { key: 'vit', stage: 'vit', label: 'After the vision encoder (ViT)' };
    case 'vision':
      return { key: 'vision', stage: 'vision', label: 'Before the LLM' };
    case 'llm': {
      const layer = step.layer ?? 0;
      return { key: `llm:${layer}`, stage: 'llm', layer, label: `After decoder layer ${layer}` };
    }
    case 'kv':
      return { key: 'kv', stage: 'kv', label: 'KV cache for decoding' };
  }
}

/** Orders positions along the model: negative when `a` comes first. */
export function comparePositions(a: Pick<StagePosition, 'stage' | 'layer'>, b: Pick<StagePosition, 'stage' | 'layer'>): number {
  return rank(a) - rank(b);
}

/** The shared timeline of several traces: input first, then every distinct step position in model order. */
export function stagePositions(traces: readonly TokenTrace[]): StagePosition[] {
  const byKey = new Map<string, StagePosition>();
  for (const trace of traces) for (const step of trace.steps) {
    const p = positionOfStep(step);
    byKey.set(p.key, p);
  }
  return [INPUT_POSITION, ...[...byKey.values()].sort(comparePositions)];
}

/**
 * The index of the last step of `trace` at or before `position` (−1: none yet, every token live).
 * Steps run in model order, so this is a prefix of the trace and `fatesAt` / `keptAt` apply.
 */
export function stepIndexAt(trace: TokenTrace, position: Pick<StagePosition, 'stage' | 'layer'>): number {
  let last = -1;
  trace.steps.forEach((step, i) => {
    if (comparePositions(positionOfStep(step), position) <= 0) last = i;
  });
  return last;
}

/** Labels of the steps `trace` takes exactly at `position` (e.g. 'FastV: top attention of the last token'). */
export function stepLabelsAt(trace: TokenTrace, position: StagePosition): string[] {
  return [...new Set(trace.steps.filter((s) => positionOfStep(s).key === position.key).map((s) => s.label))];
}
