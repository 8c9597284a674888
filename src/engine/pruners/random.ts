/**
 * Random pruning baseline: a seeded uniform subset of round(retention·N) visual tokens, in
 * original order, before the LLM (compact positions). Any method should beat it on questions
 * about one object; where one does not, that is a finding (issue 5 targets).
 */
import { z } from 'zod';
import { randomSubset } from './algorithms/random';
import { budgetFor, derivedCount, keepEdit } from './common';
import { definePruner } from './define';

export const random = definePruner({
  id: 'random',
  label: 'Random',
  paper: { title: 'Baseline: uniformly random visual tokens', arxiv: '', url: '' },
  stages: ['vision'],
  modalities: ['image', 'video'],
  params: z.object({ keep: derivedCount('Visual tokens kept.') }),
  positions: 'compact',
  retention: 'kept',
  guidance: 'none',
  resolveParams: (retention, user, g) => {
    const keep = user.keep ?? budgetFor(retention, g.visualTokens);
    return { params: { keep }, plannedRetention: keep / g.visualTokens };
  },
  needs: () => ({}),
  createState: () => ({}),
  hooks: {
    beforeLlm(input, { params, random: next }) {
      const n = input.features.rows;
      if (params.keep! >= n) return;
      return keepEdit('random subset', randomSubset(n, params.keep!, Math.floor(next() * 2 ** 32)));
    },
  },
});
