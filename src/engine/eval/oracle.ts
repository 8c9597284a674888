/**
 * The oracle: keeps only the visual tokens whose patches cover the question's objects, read from
 * the sample's ground-truth boxes — the issue-4 check that the model's answer lives in those tokens
 * (oracle within a few points of unpruned) while a blind cut of the same size hurts.
 *
 * The boxes are mapped onto the visual-token grid exactly as relevance.ts maps them (shortest-edge
 * resize, centre crop, a cell counts when a box covers a quarter of it); for a video, each frame's
 * boxes onto that frame's pooled grid, frame-major like the runtime's visual block. A sample whose
 * question is about no visible object (e.g. "is there a red star?" with neither red things nor
 * stars) keeps no visual token at all: there is nothing relevant to keep.
 *
 * The kept tokens keep their original position ids (the runtime's `visualPositions: 'original'`):
 * the oracle asks whether the answer lives in those tokens, so it must not also move them. With
 * compacted positions a video's few object tokens per frame lose their frames (frames without the
 * object vanish entirely), and "in how many frames…" becomes unanswerable from any tokens.
 *
 * It needs labels, so it is an evaluation option (`tokenlab eval --oracle`, the model-card
 * figures), never a registered method: the pruner is defined here, the cells are its parameter,
 * and each sample gets its own PlannedMethod.
 */
import { z } from 'zod';
import type { LoadedBenchmark } from '../bench/loader';
import type { BenchSample, BoxedObject } from '../bench/types';
import type { LlavaConfig, PreprocessorConfig } from '../models/checkpoint/types';
import { throwIfCancelled } from '../models/model-cache';
import type { VlmRuntime } from '../models/runtime/vlm';
import { relevantCells } from '../metrics/relevance';
import { runGeometry } from '../pruners/bind';
import { keepEdit } from '../pruners/common';
import { definePruner } from '../pruners/define';
import type { PlannedMethod } from '../runs/method-pass';
import { compareOnSample, summarizeMethod, type MethodEvalReport, type MethodOutcome } from './compare';
import { pickSamples, summarizeOutcomes, type EvalOptions } from './evaluate';

/** The oracle pruner (eval only; not in the registry): keeps exactly `cells`, in ascending order, before the LLM. */
export const oracle = definePruner({
  id: 'oracle',
  label: 'Oracle (ground-truth boxes)',
  paper: { title: 'Reference: the visual tokens covering the question\'s objects (needs labels; evaluation only)', arxiv: '', url: '' },
  stages: ['vision'],
  modalities: ['image', 'video'],
  params: z.object({
    cells: z.array(z.number().int().nonnegative()).default([]).describe('Visual tokens kept: frame-major indices (frame·rows·cols + row·cols + col) of the cells the boxes cover.'),
  }),
  positions: 'original',
  retention: 'kept',
  guidance: 'labels',
  resolveParams: (_retention, user, g) => ({ params: user, plannedRetention: user.cells.length / g.visualTokens }),
  needs: () => ({}),
  createState: () => ({}),
  hooks: {
    beforeLlm(input, { params }) {
      if (params.cells.length === input.features.rows) return;
      return keepEdit('oracle (ground-truth boxes)', [...params.cells].sort((a, b) => a - b));
    },
  },
});

/**
 * Frame-major indices of the visual tokens `sample`'s boxes cover on `config`'s grid (pooled per
 * frame for a video, as runGeometry says), ascending; empty when no box is visible.
 */
export function oracleTokens(sample: Pick<BenchSample, 'media' | 'boxes'>, config: LlavaConfig, pre: PreprocessorConfig): number[] {
  const frames = sample.media.kind === 'video' ? sample.media.frames.length : 1;
  const { grid } = runGeometry(config, frames);
  const perFrame = grid.rows * grid.cols;
  const media = { width: sample.media.width, height: sample.media.height };
  const boxesOf = (list: readonly BoxedObject[]): [number, number, number, number][] => list.map((b) => b.box);
  if (sample.media.kind === 'image') return relevantCells(boxesOf(sample.boxes as BoxedObject[]), media, pre, grid);
  const byFrame = sample.boxes as BoxedObject[][];
  if (byFrame.length !== frames) throw new Error(`video sample has boxes for ${byFrame.length} frames but ${frames} frames`);
  return byFrame.flatMap((list, f) => relevantCells(boxesOf(list), media, pre, grid).map((c) => f * perFrame + c));
}

/**
 * The oracle planned for one sample: its cells as the parameter, its run geometry, and as
 * retention the kept share (a sample with no covered cell plans 1/N — retention must be
 * positive — and keeps none; the trace records the achieved 0).
 */
export function oracleMethod(sample: BenchSample, config: LlavaConfig, pre: PreprocessorConfig): PlannedMethod {
  const cells = oracleTokens(sample, config, pre);
  const geometry = runGeometry(config, sample.media.kind === 'video' ? sample.media.frames.length : 1);
  return { id: 'oracle', pruner: oracle, retention: Math.max(1, cells.length) / geometry.visualTokens, params: { cells }, seed: 0, geometry };
}

/**
 * `tokenlab eval --oracle`: every picked sample (pickSamples, stratified by kind and type)
 * answered unpruned and with only its oracle tokens. The report's retention is the mean achieved one.
 */
export async function evaluateOracle(rt: VlmRuntime, bench: LoadedBenchmark, options: EvalOptions & { onOutcome?: (done: number, total: number, o: MethodOutcome) => void } = {}): Promise<MethodEvalReport> {
  const picked = pickSamples(bench.samples, options.limit, (s) => `${s.media.kind}/${s.type}`);
  await rt.warm();
  const outcomes: MethodOutcome[] = [];
  for (const sample of picked) {
    throwIfCancelled(options.signal, 'The evaluation');
    const plan = [oracleMethod(sample, rt.model.config, rt.model.preprocessor)];
    const { outcomes: got } = await compareOnSample(rt, bench, sample, plan, options.maxNewTokens === undefined ? {} : { maxNewTokens: options.maxNewTokens });
    outcomes.push(...got);
    options.onOutcome?.(outcomes.length, picked.length, got[0]!);
  }
  const summary = summarizeMethod(outcomes);
  return { ...summarizeOutcomes(outcomes, bench.samples), ...summary, method: { id: 'oracle', retention: summary.achievedRetention, params: {} }, samples: outcomes, benchmarkSize: bench.samples.length };
}
