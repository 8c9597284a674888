/**
 * LLaVA-PruMerge+ (arXiv 2403.15388). Code: github.com/42Shawn/LLaVA-PruMerge. Algorithm and
 * deviations: algorithms/prumerge.ts.
 * IQR-outlier tokens by CLS attention plus spatially uniform samples, each enriched with its 32
 * most key-similar tokens weighted by attention, plus one token summing the pruned ones; before
 * the projector, in attention-rank-then-samples order; compact positions.
 * Deviations: the code's CLS attention and keys come from one full-width head of the last ViT
 * layer; our runtime's probes are head-means (CLS attention averaged over heads, keys averaged over
 * heads), used here in their place. 'budget' mode (default) meets the requested retention;
 * 'adaptive' is the paper's IQR-driven count, whose achieved retention the run reports.
 * Image input only (the CLS attention is per patch; video frames are pooled).
 * In the trace the kept tokens are 'kept' and the pruned ones 'merged' into the extra token;
 * the kept tokens' attention-weighted enrichment is not a trace merge.
 */
import { z } from 'zod';
import { pruMergeFeatures, pruMergePlusSelect } from './algorithms/prumerge';
import { complement } from './algorithms/topk';
import { budgetFor, derivedCount } from './common';
import { definePruner, type TokenEdit } from './define';

interface PruMergeState {
  probe: { clsAttention: Float32Array; keys: { data: Float32Array; rows: number; cols: number } } | null;
}

export const prumergePlus = definePruner({
  id: 'prumerge-plus',
  label: 'PruMerge+',
  paper: { title: 'LLaVA-PruMerge: Adaptive Token Reduction for Efficient Large Multimodal Models', arxiv: '2403.15388', url: 'https://arxiv.org/abs/2403.15388' },
  code: 'https://github.com/42Shawn/LLaVA-PruMerge',
  stages: ['vision'],
  modalities: ['image'],
  params: z.object({
    mode: z.enum(['budget', 'adaptive']).default('budget').describe("'budget': exactly round(retention·N) tokens; 'adaptive': the paper's IQR-driven count (retention ignored, achieved value reported)."),
    budget: derivedCount('Output tokens in budget mode, the extra pruned-sum token included.'),
    neighbours: z.number().int().min(0).default(32).describe('Similar tokens each kept token absorbs (paper: 32).'),
  }),
  positions: 'compact',
  retention: 'kept',
  guidance: 'visual',
  resolveParams: (retention, user, g) => {
    const budget = user.budget ?? budgetFor(retention, g.visualTokens);
    const off = retention >= 1 && user.mode === 'budget';
    const params = { ...user, budget: off ? g.visualTokens : budget };
    if (user.mode === 'adaptive') return { params, note: 'adaptive: the count follows the IQR outliers of each image' };
    return { params, plannedRetention: params.budget / g.visualTokens };
  },
  needs: (_p, g) => ({ vit: [{ layer: g.vitLayers - 1, clsAttention: true, keys: true }] }),
  createState: (): PruMergeState => ({ probe: null }),
  hooks: {
    afterVitLayer(input, { state, geometry }) {
      if (input.layer === geometry.vitLayers - 1 && input.clsAttention && input.keys) state.probe = { clsAttention: input.clsAttention, keys: input.keys };
    },
    beforeProjector(input, { params, state }) {
      const n = input.features.rows;
      if (params.mode === 'budget' && params.budget! >= n) return;
      if (!state.probe) throw new Error('PruMerge+: no CLS attention was recorded at the last ViT layer');
      const a = state.probe.clsAttention;
      const sel = pruMergePlusSelect(a, params.mode === 'budget' ? params.budget : undefined);
      const kept = [...sel.byAttention, ...sel.samples];
      // The extra pruned-sum token is dropped only when the budget has no room for it (budget 1).
      const pruned = params.mode === 'budget' && kept.length >= params.budget! ? [] : complement(n, kept);
      const features = pruMergeFeatures(kept, a, state.probe.keys, input.features, params.neighbours);
      const edit: TokenEdit = {
        label: `PruMerge+: ${sel.byAttention.length} outliers + ${sel.samples.length} samples + pruned sum`,
        sequence: [...kept.map((keep) => ({ keep })), ...(pruned.length ? [{ merge: pruned, name: 'pruned-sum' }] : [])],
        features: pruned.length ? features : { data: features.data.slice(0, kept.length * features.cols), rows: kept.length, cols: features.cols },
        scores: a,
      };
      return edit;
    },
  },
  // Each kept token's key similarity to every token (neighbour search), at ViT width (an upper bound: keys are head-mean).
  selectionFlops: (s) => (s.stage === 'vision' ? s.before * s.after * s.widths.vit : 0),
});
