/**
 * ToDRE — token diversity and task relevance (arXiv 2505.18757). No public code; algorithm and
 * our choices: algorithms/todre.ts.
 * Stage 1 (before the LLM): greedy max-sum diverse subset (v2; 'k-center' = v1) of
 * round(retention·N) projected visual tokens, seeded with the pivot = the patch with the highest
 * last-ViT-layer CLS attention (per video frame, then the best over frames; a pooled frame maps the
 * pivot patch to the pooled token containing it). Stage 2: after layer 7L/8 (28 of 32), if both
 * attention shares α_{t→v}, α_{v→t} are below τ, every visual token is removed.
 */
import { z } from 'zod';
import { todreDropsAllVisual, attentionSharesOfRows, kCenterSelect, maxSumSelect, todrePivot, todreRelevanceLayer } from './algorithms/todre';
import { budgetFor, derivedCount, derivedLayer, keepEdit } from './common';
import { definePruner } from './define';

interface TodreState {
  /** Best (frame, patch, attention) seen at the last ViT layer. */
  pivot: { frame: number; patch: number; score: number } | null;
}

export const todre = definePruner({
  id: 'todre',
  label: 'ToDRE',
  paper: { title: 'Effective Visual Token Pruning via Token Diversity and Task Relevance', arxiv: '2505.18757', url: 'https://arxiv.org/abs/2505.18757' },
  stages: ['vision', 'llm'],
  modalities: ['image', 'video'],
  params: z.object({
    keep: derivedCount('Visual tokens kept by stage 1.'),
    selection: z.enum(['max-sum', 'k-center']).default('max-sum').describe('Stage-1 diversity rule: v2 greedy max-sum (default) or v1 greedy k-center.'),
    relevanceCheck: z.boolean().default(true).describe('Stage 2: drop all visual tokens after the check layer when the text barely attends to them.'),
    tau: z.number().min(0).max(1).default(0.1).describe('Stage-2 threshold τ on both attention shares.'),
    checkLayer: derivedLayer('Stage-2 check layer (0-based; paper 7L/8).'),
  }),
  positions: 'compact',
  retention: 'kept',
  guidance: 'diversity',
  resolveParams: (retention, user, g) => {
    const keep = user.keep ?? budgetFor(retention, g.visualTokens);
    const checkLayer = Math.min(g.decoderLayers - 2, user.checkLayer ?? todreRelevanceLayer(g.decoderLayers));
    // Retention 1 is the unpruned model: stage 2 stays off unless asked for explicitly.
    const relevanceCheck = retention < 1 && user.relevanceCheck;
    return { params: { ...user, keep, checkLayer, relevanceCheck }, plannedRetention: keep / g.visualTokens, note: 'stage 2 may remove every visual token for the last layers; the trace shows when it did' };
  },
  needs: (p, g) => ({
    vit: [{ layer: g.vitLayers - 1, clsAttention: true }],
    projectorCosine: true,
    decoder: p.relevanceCheck ? [{ layer: p.checkLayer!, attention: 'visual-and-after' }] : [],
  }),
  createState: (): TodreState => ({ pivot: null }),
  hooks: {
    afterVitLayer(input, { state, geometry }) {
      if (input.layer !== geometry.vitLayers - 1 || !input.clsAttention) return;
      // The frame's best patch replaces the pivot only when strictly higher: the first wins ties.
      const a = input.clsAttention;
      if (a.length === 0) return;
      const patch = todrePivot(a);
      if (!state.pivot || a[patch]! > state.pivot.score) state.pivot = { frame: input.frame, patch, score: a[patch]! };
    },
    beforeLlm(input, { params, state, geometry }) {
      const n = input.features.rows;
      if (params.keep! >= n) return;
      const pivot = pivotIndex(state, input.frames, geometry.patchGrid);
      const select = params.selection === 'k-center' ? kCenterSelect : maxSumSelect;
      // Kept in original order: a native numeric sort, no comparator calls.
      return keepEdit(`ToDRE stage 1 (${params.selection})`, Array.from(Int32Array.from(select(input.features, params.keep!, pivot, input.cosine)).sort()));
    },
    afterDecoderLayer(input, { params }) {
      if (!params.relevanceCheck || input.layer !== params.checkLayer || !input.attention || input.span.visualCount === 0) return;
      const shares = attentionSharesOfRows(input.attention, input.span);
      if (!todreDropsAllVisual(shares, params.tau)) return;
      return keepEdit(`ToDRE stage 2: α(t→v) ${shares.textToVisual.toFixed(3)}, α(v→t) ${shares.visualToText.toFixed(3)} < τ`, []);
    },
  },
  // Stage 1: greedy diversity selection, one distance update per candidate per pick; stage 2 reads probes only.
  selectionFlops: (s) => (s.stage === 'vision' ? s.before * (s.after + 1) * s.widths.llm : 0),
});

/** The pivot's position in the visual block: its frame's token at the pivot patch (pooled if needed). */
function pivotIndex(state: TodreState, frames: { frame: number; start: number; count: number; grid: { rows: number; cols: number } | null }[], patchGrid: { rows: number; cols: number }): number {
  if (!state.pivot) return 0; // no CLS attention (no ViT probe ran): the paper's random-pivot fallback, fixed at 0
  const span = frames.find((f) => f.frame === state.pivot!.frame);
  if (!span?.grid) return span ? span.start : 0;
  const row = Math.floor(state.pivot.patch / patchGrid.cols);
  const col = state.pivot.patch % patchGrid.cols;
  const r = Math.min(span.grid.rows - 1, Math.floor((row * span.grid.rows) / patchGrid.rows));
  const c = Math.min(span.grid.cols - 1, Math.floor((col * span.grid.cols) / patchGrid.cols));
  return span.start + r * span.grid.cols + c;
}
