/**
 * PyramidDrop (arXiv 2410.17247, CVPR'25). Code: github.com/Cooperx521/PyramidDrop.
 * Algorithm, schedule and the retention → λ mapping: algorithms/pdrop.ts.
 * After each stage layer, the last instruction token's query under the NEXT layer's q/k (head
 * mean) ranks the visual tokens; keep round(|V|·λⁱ) of the original count; compact positions.
 */
import { z } from 'zod';
import { pdropLambdaForRetention, pdropSchedule } from './algorithms/pdrop';
import { topK } from './algorithms/topk';
import { keepEdit, rowSlice, shortfallNote } from './common';
import { definePruner } from './define';

export const pdrop = definePruner({
  id: 'pdrop',
  label: 'PyramidDrop',
  paper: { title: 'PyramidDrop: Accelerating Your Large Vision-Language Models via Pyramid Visual Redundancy Reduction', arxiv: '2410.17247', url: 'https://arxiv.org/abs/2410.17247' },
  code: 'https://github.com/Cooperx521/PyramidDrop',
  stages: ['llm'],
  modalities: ['image', 'video'],
  params: z.object({
    lambda: z.number().min(0).max(1).optional().describe('λ: each stage keeps λ times the previous count (paper 0.5). Default: solved from retention as a layer average.'),
  }),
  positions: 'compact',
  retention: 'layer-average',
  guidance: 'text',
  resolveParams: (retention, user, g) => {
    if (user.lambda !== undefined) return { params: { lambda: user.lambda } };
    const { lambda, achievedRetention } = pdropLambdaForRetention(g.visualTokens, retention, g.decoderLayers);
    return { params: { lambda }, plannedRetention: achievedRetention, ...shortfallNote(achievedRetention, retention) };
  },
  needs: (p, g) => ({ decoder: pdropSchedule(g.visualTokens, p.lambda!, g.decoderLayers).map((s) => ({ layer: s.layer, nextLayer: 'last' as const })) }),
  createState: () => ({}),
  hooks: {
    afterDecoderLayer(input, { params, geometry }) {
      const stage = pdropSchedule(geometry.visualTokens, params.lambda!, geometry.decoderLayers).find((s) => s.layer === input.layer);
      if (!stage || !input.nextLayer) return;
      const { visualStart, visualCount } = input.span;
      if (stage.keep >= visualCount) return;
      const scores = rowSlice(input.nextLayer.values.data, input.nextLayer.values.cols, 0, visualStart, visualStart + visualCount);
      return keepEdit(`PDrop stage: keep ${stage.keep}`, topK(scores, stage.keep), scores);
    },
  },
});
