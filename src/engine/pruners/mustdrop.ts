/**
 * MustDrop — multi-stage vision token dropping (arXiv 2411.10803). Code: github.com/liuting20/MustDrop.
 * Algorithms and our choices: algorithms/mustdrop-merge.ts (ViT merge, key set) and
 * algorithms/mustdrop-filter.ts (dual-attention filter, threshold calibration).
 * Stages: 3×3 spatial merge after ViT layer 0; key set from the last ViT layer's CLS attention;
 * dual-attention filter after decoder layers 2, 6, 10, 14 (of 32; fractions of depth), key set
 * always kept; before decoding, layers from the first pruning layer to the last are compacted to
 * the final kept set and each layer decodes at its own cache length (P3; prefill is compact, P2).
 * Deviations: r (windows merged) is per frame — our ViT encodes one frame at a time, the code
 * takes the batch minimum; thresholds are calibrated per stage to a layer-averaged target by
 * default ('fixed' uses the paper's thresholds and reports what they achieve). Image input only:
 * merged frames cannot be pooled for video.
 */
import { z } from 'zod';
import { cutAfter } from './algorithms/depth';
import { subMatrix } from './algorithms/matrix';
import { calibratedDualAttentionFilter, dualAttentionFilter, mustDropStageTargets } from './algorithms/mustdrop-filter';
import { keySetSize, mustDropKeySet, mustDropSpatialMerge } from './algorithms/mustdrop-merge';
import { keepEdit } from './common';
import { definePruner, type TokenEdit } from './define';

interface MustDropState {
  /** Key-set positions in the current visual block. */
  keys: number[];
  /** Stage targets, planned at the first pruning layer from the count that entered the LLM. */
  targets: Map<number, number> | null;
}

export const mustdrop = definePruner({
  id: 'mustdrop',
  label: 'MustDrop',
  paper: { title: 'Multi-Stage Vision Token Dropping: Towards Efficient Multimodal Large Language Model', arxiv: '2411.10803', url: 'https://arxiv.org/abs/2411.10803' },
  code: 'https://github.com/liuting20/MustDrop',
  stages: ['vit', 'llm', 'kv'],
  modalities: ['image'],
  params: z.object({
    merge: z.boolean().default(true).describe('Merge similar 3×3 windows after ViT layer 0.'),
    mergeThreshold: z.number().min(-1).max(1).default(0.8).describe('Mean pairwise cosine a window needs to be merged.'),
    keyRate: z.number().min(0).max(1).default(0.08).describe('Key set size as a fraction of the patches (ceil); these survive every stage.'),
    layers: z.array(z.number().int().min(0)).optional().describe('Decoder layers (0-based) after which the filter runs. Default: 2, 6, 10, 14 of 32, scaled to this model’s depth.'),
    thresholds: z.enum(['calibrated', 'fixed']).default('calibrated').describe("'calibrated': per-stage thresholds that meet the retention as a layer average; 'fixed': the given thresholds."),
    globalThr: z.number().min(0).default(0.001).describe('global_thr (fixed mode), and the global:individual ratio when calibrating.'),
    individualThr: z.number().min(0).default(0.001).describe('individual_thr (fixed mode), and the global:individual ratio when calibrating.'),
    target: z.number().min(0).optional().describe('Layer-averaged visual tokens to aim for (calibrated mode). Default: retention·N.'),
  }),
  positions: 'per-layer',
  retention: 'layer-average',
  guidance: 'text',
  resolveParams: (retention, user, g) => {
    const layers = user.layers ?? [...new Set([2, 6, 10, 14].map((l) => cutAfter(l, 32, g.decoderLayers)))];
    if (retention >= 1 && user.target === undefined) return { params: { ...user, merge: false, layers: [], target: g.visualTokens }, plannedRetention: 1 };
    const target = user.target ?? retention * g.visualTokens;
    const params = { ...user, layers, target };
    const note = 'planned without ViT merging (merged windows change the count entering the LLM); the trace holds the achieved value';
    if (user.thresholds === 'fixed') return { params, note };
    // The plan as if no window merges: the layers before the first cut and the key set are floors.
    const plan = mustDropStageTargets(g.visualTokens, layers, g.decoderLayers, target, keySetSize(g.visualTokens, user.keyRate));
    return { params, plannedRetention: plan.achieved / g.visualTokens, note };
  },
  needs: (p, g) => ({ vit: [...(p.merge ? [{ layer: 0 }] : []), { layer: g.vitLayers - 1, clsAttention: true }], decoder: p.layers!.map((layer) => ({ layer, attention: 'after-visual' as const })) }),
  createState: (): MustDropState => ({ keys: [], targets: null }),
  hooks: {
    afterVitLayer(input, { params, state, geometry }) {
      if (input.layer === geometry.vitLayers - 1 && input.clsAttention) {
        state.keys = mustDropKeySet(input.clsAttention, params.keyRate);
        return;
      }
      if (input.layer !== 0 || !params.merge) return;
      const [m] = mustDropSpatialMerge([input.patches()], input.grid, params.mergeThreshold);
      if (!m || m.merged.length === 0) return;
      const edit: TokenEdit = {
        label: `MustDrop: ${m.merged.length} windows merged`,
        sequence: [...m.merged.map((w) => ({ merge: w.members, name: `window ${w.window}`, at: w.at })), ...m.unmerged.map((keep) => ({ keep }))],
        features: m.features,
      };
      return edit;
    },
    afterDecoderLayer(input, { params, state, geometry }) {
      if (!params.layers!.includes(input.layer) || !input.attention) return;
      const { visualStart, visualCount } = input.span;
      if (!state.targets) {
        const plan = mustDropStageTargets(visualCount, params.layers!, geometry.decoderLayers, params.target!, state.keys.length);
        state.targets = new Map(plan.stages.map((s) => [s.layer, s.keep]));
      }
      const m = subMatrix(input.attention.values, input.attention.rows.map((_, i) => i), visualStart, visualStart + visualCount);
      // Scores for the trace: the scale c_j at which a token becomes a drop candidate (the larger
      // of its global and individual attention, each relative to its threshold).
      const calibrated = calibratedDualAttentionFilter(m, state.keys, state.targets.get(input.layer) ?? visualCount, { globalThr: params.globalThr, individualThr: params.individualThr });
      const keep = params.thresholds === 'fixed' ? dualAttentionFilter(m, state.keys, params.globalThr, params.individualThr) : calibrated.keep;
      if (keep.length === visualCount) return;
      const where = new Map(keep.map((p, i) => [p, i]));
      state.keys = state.keys.map((k) => where.get(k)!);
      return keepEdit(`MustDrop dual-attention filter: keep ${keep.length}`, keep, calibrated.criticalScale);
    },
    beforeDecode(input, { params }) {
      const layers = params.layers!;
      if (layers.length === 0) return;
      return { label: 'MustDrop: compact caches to the final kept set', compact: { from: Math.min(...layers), to: Math.max(...layers) }, nextPosition: 'cache-length' };
    },
  },
  // 3×3 window scores: 8 cosines per patch (72 ordered pairs per 9-token window) at ViT width.
  selectionFlops: (s) => (s.stage === 'vit' ? 8 * s.before * s.widths.vit : 0),
});
