/**
 * FastV — "An Image is Worth 1/2 Tokens After Layer 2" (arXiv 2403.06764, ECCV'24).
 * Code: github.com/pkunlp-icler/FastV. Algorithm and deviations: algorithms/fastv.ts.
 * After layer K−1, keep the visual tokens the last prompt token attends to most; original
 * position ids (P1). Retention r keeps round(r·|V|); K defaults to 2/32 of depth.
 */
import { z } from 'zod';
import { fastvK } from './algorithms/fastv';
import { topK } from './algorithms/topk';
import { budgetFor, derivedCount, keepEdit, rowSlice } from './common';
import { definePruner } from './define';

const params = z.object({
  k: z.number().int().min(1).optional().describe('K: decoder layers that run on all tokens; pruning happens after layer K−1. Default: 2/32 of depth (the paper’s K=2).'),
  keep: derivedCount('Visual tokens kept after layer K−1.'),
});

export const fastv = definePruner({
  id: 'fastv',
  label: 'FastV',
  paper: { title: 'An Image is Worth 1/2 Tokens After Layer 2', arxiv: '2403.06764', url: 'https://arxiv.org/abs/2403.06764' },
  code: 'https://github.com/pkunlp-icler/FastV',
  stages: ['llm'],
  modalities: ['image', 'video'],
  params,
  positions: 'original',
  retention: 'kept',
  guidance: 'text',
  resolveParams: (retention, user, g) => {
    const keep = user.keep ?? budgetFor(retention, g.visualTokens);
    return { params: { k: Math.min(g.decoderLayers - 1, user.k ?? fastvK(g.decoderLayers)), keep }, plannedRetention: keep / g.visualTokens };
  },
  needs: (p) => ({ decoder: [{ layer: p.k! - 1, attention: 'last' }] }),
  createState: () => ({}),
  hooks: {
    afterDecoderLayer(input, { params: p }) {
      if (input.layer !== p.k! - 1 || !input.attention) return;
      const { visualStart, visualCount } = input.span;
      const last = input.attention.rows.length - 1;
      const scores = rowSlice(input.attention.values.data, input.attention.values.cols, last, visualStart, visualStart + visualCount);
      return keepEdit('FastV: top attention of the last token', topK(scores, p.keep!), scores);
    },
  },
});
