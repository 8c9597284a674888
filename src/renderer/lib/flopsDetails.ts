/**
 * What the FLOPs chart's hover says about one method: for each phase of the stacked bar (vision,
 * prefill, decode, method overhead) its total, the formula the engine used with the model's sizes
 * filled in, and the counts that went into it (tokens per layer, images, decode steps, overhead
 * items). Pure, from the run's result alone, so the numbers shown are the engine's own.
 */
import { formatFlops } from '../../shared/flops';
import type { MethodResult } from '../../shared/schemas/runs';

/** One term of a phase: its name, formula (when the engine sent it), the counts and its FLOPs. */
export interface FlopsTerm {
  name: string;
  formula: string | null;
  counts: string;
  flops: number;
}

/** One phase of the stacked bar with the terms that add up to it. */
export interface FlopsPhaseDetail {
  key: 'vision' | 'prefill' | 'decode' | 'overhead';
  label: string;
  total: number;
  terms: FlopsTerm[];
}

/**
 * The formula behind an overhead item, recognised by the label the engine gives it
 * (engine/pruners/overhead.ts and models/runtime/measured-run.ts word them; items carry no formula
 * of their own). Null for a label not known here: the tooltip then shows the number alone.
 */
export function overheadFormula(label: string): string | null {
  if (label.endsWith(': probes (attention rows, q·k scores, ViT CLS/keys)')) {
    return 'per probed decoder layer R·n·heads for head-mean attention rows, R·d·d_q + n·d·d_kv + R·n·d_q for next-layer q·k scores (R query rows, n tokens); per frame (n_vit·heads) for ViT CLS attention, n_vit·d_v for ViT keys';
  }
  if (label.endsWith(': token selection')) return "the method's declared selection arithmetic (e.g. similarity scores), summed over its pruning steps with the token counts before and after each";
  if (/ViT layer\(s\) beyond the feature layer/.test(label)) return '4·n·d² + 2·n²·d + 2·n·d·m per extra ViT layer per image';
  return null;
}

/** "101 × 4" when every layer saw the same count, else the list: "101, 101, 60, 60". */
export function layerCounts(counts: readonly number[]): string {
  if (counts.length === 0) return 'no layers';
  const same = counts.every((c) => c === counts[0]);
  return same ? `${counts[0]} × ${counts.length} layer${counts.length === 1 ? '' : 's'}` : counts.join(', ');
}

/** Every phase of `result`'s FLOPs with its terms; a formula an older engine did not send is null. */
export function flopsDetails(result: Pick<MethodResult, 'flops'>): FlopsPhaseDetail[] {
  const f = result.flops;
  const formulas = f.formulas;
  const steps = f.decode.steps;
  return [
    {
      key: 'vision',
      label: 'Vision (ViT + projector)',
      total: f.vision.total + f.projector.total,
      terms: [
        { name: 'ViT layers + patch embedding', formula: formulas ? `${formulas.visionLayer}; patch embedding ${formulas.patchEmbedding}` : null, counts: `${f.vision.images} image(s); n per layer: ${layerCounts(f.vision.tokensPerLayer)}`, flops: f.vision.total },
        { name: 'Projector', formula: formulas?.projector ?? null, counts: `n = ${f.projector.tokens} visual tokens`, flops: f.projector.total },
      ],
    },
    {
      key: 'prefill',
      label: 'Prefill',
      total: f.prefill.total,
      terms: [{ name: 'Decoder layers', formula: formulas?.decoderLayer ?? f.formula, counts: `n per layer: ${layerCounts(f.prefill.tokensPerLayer)}`, flops: f.prefill.total }],
    },
    {
      key: 'decode',
      label: 'Decode (+ LM head)',
      total: f.decode.total + f.lmHead.total,
      terms: [
        { name: 'Decoding steps', formula: formulas?.decodeStep ?? null, counts: `${steps} step${steps === 1 ? '' : 's'} after prefill, L = prefill tokens + step`, flops: f.decode.total },
        { name: 'LM head', formula: formulas?.lmHead ?? null, counts: `${steps + 1} position${steps === 0 ? '' : 's'} (last prefill token + each step)`, flops: f.lmHead.total },
      ],
    },
    {
      key: 'overhead',
      label: 'Method overhead',
      total: f.extra.total,
      terms: f.extra.items.length
        ? f.extra.items.map((item) => ({ name: item.label, formula: overheadFormula(item.label), counts: 'counts from the run\'s trace', flops: item.flops }))
        : [{ name: 'None', formula: null, counts: 'the method declares no cost of its own', flops: 0 }],
    },
  ];
}

/** One line of a term as the tooltip prints it, e.g. "Projector: 2.1 MFLOPs = n·(…) (n = 100 visual tokens)". */
export function termLine(term: FlopsTerm): string {
  return `${term.name}: ${formatFlops(term.flops)}${term.formula ? ` = ${term.formula}` : ''} (${term.counts})`;
}
