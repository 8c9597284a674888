/**
 * `tokenlab run --method …`: the unpruned model and each method on one question, through the same
 * runQuestion as the contract's run:start, printed as one table (answer, fidelity to the unpruned
 * run, FLOPs ratio, equivalent tokens, achieved retention, prefill latency) or as JSON.
 */
import os from 'node:os';
import { resolve } from 'node:path';
import type { VlmRuntime } from '../../engine/models/runtime/vlm';
import { runQuestion } from '../../engine/runs/run-question';
import { formatFlops } from '../../shared/flops';
import type { MethodResult, MethodSpec } from '../../shared/schemas/runs';

/** What the command parsed. */
export interface MethodRunOptions {
  modelDir: string;
  images: string[];
  question: string;
  methods: MethodSpec[];
  maxNewTokens: number;
  repeats: number;
  json: boolean;
}

function row(r: MethodResult, visual: number): string[] {
  const f = r.fidelity;
  const prefill = r.latency.prefill?.median;
  return [
    r.method,
    r.retention === undefined ? '—' : r.retention.toFixed(3),
    JSON.stringify(r.answer),
    f ? (f.sameAnswer ? 'yes' : 'no') : '—',
    f ? (f.top1Agree ? 'yes' : 'no') : '—',
    f ? f.klFirstToken.toExponential(2) : '—',
    r.flopsRatio.toFixed(3),
    `${r.equivalentTokens.toFixed(1)}/${visual}`,
    r.pruning ? r.pruning.achievedRetention.toFixed(3) : '—',
    prefill === undefined ? 'n/a' : prefill.toFixed(1),
  ];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((cells) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Runs the methods with `rt` and writes the report to stdout; returns the exit code. */
export async function runMethods(rt: VlmRuntime, o: MethodRunOptions): Promise<number> {
  const run = await runQuestion(rt, { images: o.images, question: o.question, methods: o.methods, maxNewTokens: o.maxNewTokens, repeats: o.repeats, warmup: 1 });
  const provider = rt.provider;
  if (o.json) {
    const out = {
      model: { dir: resolve(o.modelDir), name: rt.model.name },
      question: o.question,
      provider,
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length },
      grid: run.grid,
      warmup: 1,
      repeats: o.repeats,
      results: run.results,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const base = run.results[0]!;
  const notes = run.results.filter((r) => r.pruning?.note).map((r) => `  ${r.method}: ${r.pruning!.note}`);
  process.stdout.write([
    `Question: ${o.question}`,
    `Model:    ${resolve(o.modelDir)} (provider ${provider})`,
    `Unpruned: ${JSON.stringify(base.answer)}, ${formatFlops(base.flops.total)} (MAC-style), ${run.grid.visualTokens} visual tokens`,
    '',
    table(['method', 'retention', 'answer', 'same', 'top-1', 'KL', 'FLOPs ratio', 'eq. tokens', 'achieved', 'prefill ms'], run.results.map((r) => row(r, run.grid.visualTokens))),
    '',
    `KL(unpruned ‖ method) of the first answer token, nats; FLOPs include each method's probes and selection; latency: median of ${o.repeats} after 1 warm-up.`,
    ...(notes.length ? ['Notes:', ...notes] : []),
    '',
  ].join('\n'));
  return 0;
}
