/**
 * Run responses for component tests, shaped by the contract's own schemas (parsed, so they are
 * exactly what a client would hand the UI) with token traces from the real TraceBuilder in each
 * method's pruning report.
 */
import { z } from 'zod';
import { RunStartResponse } from '../../src/shared/schemas/runs';
import { MethodSummary } from '../../src/shared/schemas/methods';
import { equivalentTokens, keptAt, type PruningReport, type TokenTrace } from '../../src/shared/trace';
import { TraceBuilder } from '../../src/shared/trace-builder';
import { mixedTrace } from './lib/traces';

export const GRID = { rows: 4, cols: 6, frames: 1 };
const LAYERS = 4;
const TEXT = 10;

/** A FastV-like trace on the same 4×6 grid: keeps 6 tokens after decoder layer 2. */
export function topkTrace(): TokenTrace {
  const b = new TraceBuilder(GRID, 'original');
  b.keep({ stage: 'llm', layer: 2, label: 'top-6 by attention' }, [3, 5, 8, 13, 20, 23], Array.from({ length: 24 }, (_, i) => 1 / (i + 1)));
  return b.finish({ decoderLayers: LAYERS, nonVisualTokens: TEXT });
}

function stats(median: number) {
  return { median, mean: median, min: median, max: median, p10: median, p90: median, stdev: 0, samples: 1 };
}

function result(method: string, answer: string, trace: TokenTrace | null, correct: boolean): unknown {
  const visual = trace ? trace.layers.map((l) => l.visual) : Array<number>(LAYERS).fill(24);
  const prefill = visual.map((v) => (v + TEXT) * 1000);
  const total = 5000 + prefill.reduce((a, b) => a + b, 0) + 300;
  return {
    method,
    params: {},
    answer,
    ids: [1],
    correct,
    firstToken: { id: 1, text: answer, prob: 0.9, top: [{ id: 1, text: answer, prob: 0.9, logit: 3 }] },
    ...(method === 'none' ? {} : { fidelity: { sameAnswer: answer === 'blue', top1Agree: true, klFirstToken: 0.0123, logProbChange: -0.1 }, retention: 0.25 }),
    flops: {
      convention: 'paper',
      unit: 'MAC',
      total,
      vision: { total: 4000, images: 1, tokensPerLayer: [25, 25] },
      projector: { total: 1000, tokens: 24 },
      prefill: { total: prefill.reduce((a, b) => a + b, 0), tokensPerLayer: visual.map((v) => v + TEXT), layers: prefill },
      decode: { total: 200, steps: 1 },
      lmHead: { total: 100 },
      extra: { total: 0, items: [] },
      formula: '4·n·d² + 2·n²·d + 3·n·d·m per layer',
    },
    flopsRatio: total / (5300 + LAYERS * (24 + TEXT) * 1000), // over the unpruned run's total
    equivalentTokens: visual.reduce((a, b) => a + b, 0) / LAYERS,
    latency: { preprocess: stats(1), vision: stats(2), prefill: stats(3), decode: stats(4), total: stats(10) },
    tokenCounts: { vit: [25, 25], projector: 24, decoder: visual.map((v) => v + TEXT), decoderVisual: visual, decodeSteps: 1, text: TEXT },
    provider: 'cpu',
  };
}

function report(method: string, trace: TokenTrace): PruningReport {
  return { method, params: {}, retentionMeaning: 'kept', achievedRetention: keptAt(trace, trace.steps.length - 1).length / 24, equivalentTokens: equivalentTokens(trace), trace };
}

/** A response with the unpruned baseline, a merge+drop method ('mixed') and a top-k method ('topk'), about media `mediaId`. */
export function twoMethodResponse(mediaId: string): { response: RunStartResponse; traces: { mixed: TokenTrace; topk: TokenTrace } } {
  const traces = { mixed: mixedTrace(), topk: topkTrace() };
  const response = RunStartResponse.parse({
    model: { id: 'reference', name: 'llava-tiny-shapes', provider: 'cpu', threads: { intraOp: 1, interOp: 1 } },
    media: { id: mediaId, name: 'shapes.png', kind: 'image' },
    question: 'what color is the circle?',
    expectedAnswer: 'blue',
    grid: { rows: GRID.rows, cols: GRID.cols, frames: 1, tokensPerFrame: 24, visualTokens: 24 },
    warmup: 0,
    repeats: 1,
    results: [
      result('none', 'blue', null, true),
      { ...(result('mixed', 'blue', traces.mixed, true) as object), pruning: report('mixed', traces.mixed) },
      { ...(result('topk', 'red', traces.topk, false) as object), pruning: report('topk', traces.topk) },
    ],
  });
  return { response, traces };
}

/** A method summary as `method:list` sends it, its parameters from a zod schema like the registry's. */
export function methodSummary(id: string, label: string, params: z.ZodObject): MethodSummary {
  return MethodSummary.parse({
    id,
    label,
    paper: { title: `${label} paper`, arxiv: '2403.06764', url: 'https://arxiv.org/abs/2403.06764' },
    stages: ['llm'],
    modalities: ['image'],
    positions: 'original',
    retention: 'kept',
    guidance: 'text',
    params: z.toJSONSchema(params, { io: 'input' }),
  });
}
