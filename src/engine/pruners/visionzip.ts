/**
 * VisionZip — "Longer is Better but Not Necessary" (arXiv 2412.04467, CVPR'25).
 * Code: github.com/dvlab-research/VisionZip. Algorithm and deviations: algorithms/visionzip.ts.
 * At the ViT feature layer: D dominant patches by CLS attention + C contextual tokens (strided
 * targets, nearest by head-mean keys, target + mean of the assigned), before the projector;
 * the LLM runs unchanged on the shorter input (compact positions).
 * Deviation: the CLS token is not one of the dominant tokens here — our runtime drops CLS before
 * the projector ('default' feature selection), so its slot goes to one more dominant patch.
 * Image input only: on video the runtime pools frames, and the CLS attention is per patch.
 */
import { z } from 'zod';
import { matrix } from './algorithms/matrix';
import { visionZip, visionZipSplit } from './algorithms/visionzip';
import { budgetFor, derivedCount } from './common';
import { definePruner, type TokenEdit } from './define';

interface VisionZipState {
  frames: Map<number, { clsAttention: Float32Array; keys: { data: Float32Array; rows: number; cols: number } }>;
}

export const visionzip = definePruner({
  id: 'visionzip',
  label: 'VisionZip',
  paper: { title: 'VisionZip: Longer is Better but Not Necessary in Vision Language Models', arxiv: '2412.04467', url: 'https://arxiv.org/abs/2412.04467' },
  code: 'https://github.com/dvlab-research/VisionZip',
  stages: ['vision'],
  modalities: ['image'],
  params: z.object({
    dominant: derivedCount('Dominant tokens (top CLS attention). Paper: 54 of a 64 budget.'),
    contextual: derivedCount('Contextual (merged) tokens. Paper: 10 of a 64 budget.'),
  }),
  positions: 'compact',
  retention: 'kept',
  guidance: 'visual',
  resolveParams: (retention, user, g) => {
    const split = visionZipSplit(budgetFor(retention, g.visualTokens));
    const params = { dominant: user.dominant ?? split.dominant, contextual: user.contextual ?? split.contextual };
    return { params, plannedRetention: Math.min(1, (params.dominant + params.contextual) / g.visualTokens) };
  },
  needs: (_p, g) => ({ vit: [{ layer: g.featureLayer, clsAttention: true, keys: true }] }),
  createState: (): VisionZipState => ({ frames: new Map() }),
  hooks: {
    afterVitLayer(input, { state, geometry }) {
      if (input.layer !== geometry.featureLayer || !input.clsAttention || !input.keys) return;
      state.frames.set(input.frame, { clsAttention: input.clsAttention, keys: input.keys });
    },
    beforeProjector(input, { params, state }) {
      if (params.dominant! + params.contextual! >= input.features.rows) return;
      const probe = state.frames.get(0);
      if (!probe) throw new Error('VisionZip: no CLS attention was recorded at the feature layer');
      const result = visionZip(probe.clsAttention, probe.keys, input.features, { dominant: params.dominant!, contextual: params.contextual!, includeCls: false });
      const edit: TokenEdit = {
        label: `VisionZip: ${result.dominant.length} dominant + ${result.contextual.length} contextual`,
        sequence: [
          ...result.dominant.map((keep) => ({ keep })),
          ...result.contextual.map((c, i) => ({ merge: [c.target, ...c.assigned], name: `contextual ${i}`, at: c.target })),
        ],
        features: matrix(result.features.data, result.features.rows, result.features.cols),
        scores: probe.clsAttention,
      };
      return edit;
    },
  },
  // Contextual merge: the remaining tokens' similarity to the contextual targets (bounded by before·after), at ViT width.
  selectionFlops: (s) => (s.stage === 'vision' ? s.before * s.after * s.widths.vit : 0),
});
