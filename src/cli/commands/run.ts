/**
 * `tokenlab run`: answer one question about one image (or the frames of a video, as several
 * --image flags in time order) with an unpruned model, and print the answer, FLOPs from the
 * run's token counts, latency per phase and the execution provider. With --method, the unpruned
 * model and each method are compared instead (run-methods.ts).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { loadModel } from '../../engine/models/checkpoint/load';
import { measuredAnswer, type MeasuredRun } from '../../engine/models/runtime/measured-run';
import { VlmRuntime } from '../../engine/models/runtime/vlm';
import { formatFlops } from '../../shared/flops';
import { UsageError, type CliCommand } from '../command';
import { parseOptions } from './args';
import { methodSpecs } from './method-args';
import { runMethods } from './run-methods';

const DEFAULT_MODEL = 'models/reference';

const usage = `Usage: tokenlab run [--model DIR] --image FILE --question TEXT [options]

Answers a question about an image with a Hugging Face LLaVA model folder, on CPU (or CUDA when
its onnxruntime binaries are installed), and reports FLOPs, latency per phase and the provider.

Options:
  --model DIR            model folder (default ${DEFAULT_MODEL}, when present)
  --image FILE           an image; repeat for the frames of a video, in time order
  --question TEXT        the question
  --max-new-tokens N     longest answer in tokens (default 32)
  --threads N            onnxruntime intra-op threads (default 1 on ≤ 2 cores, else automatic)
  --repeats N            measured runs for latency (default 3, after 1 warm-up run)
  --method ID            also run a compression method (repeatable; ids: tokenlab methods) and
                         compare it with the unpruned model: answer, fidelity, FLOPs ratio,
                         equivalent tokens
  --retention R          fraction of visual tokens kept, 0 < R ≤ 1 (0.25 or 1/4); one for all
                         methods or one per --method
  --param K=V            a method parameter (METHOD.K=V for one method); V is JSON or text
  --json                 print JSON`;

function positiveInt(value: string | undefined, flag: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, got '${value}'.`);
  return Number(value);
}

function ms(x: number): string {
  return x < 10 ? x.toFixed(2) : x.toFixed(1);
}

function text(run: MeasuredRun, modelDir: string, question: string): string {
  const r = run.result;
  const f = run.flops;
  const p = (k: string): string => {
    const s = run.latency[k];
    return s ? `${ms(s.median)} ms (${ms(s.min)}–${ms(s.max)})` : 'n/a';
  };
  const top = [...r.firstToken.probs].map((prob, id) => ({ id, prob })).sort((a, b) => b.prob - a.prob).slice(0, 3);
  return [
    `Question: ${question}`,
    `Answer:   ${r.answer || '(empty)'}`,
    '',
    `Model:    ${modelDir}`,
    `Provider: ${r.provider}  (threads: intra-op ${r.threads.intraOpThreads || 'auto'}, inter-op ${r.threads.interOpThreads}, spinning off; ${os.cpus().length} cores)`,
    `Tokens:   ${r.tokenCounts.projector} visual, ${r.layout.prefixLength + r.layout.suffixLength} text, ${r.ids.length} generated; per decoder layer [${r.tokenCounts.decoder.join(', ')}]`,
    `First answer token: ${top.map((t) => `${t.id} p=${t.prob.toFixed(3)}`).join(', ')}`,
    '',
    `FLOPs (${f.unit}, convention '${f.convention}'):`,
    `  vision     ${formatFlops(f.vision.total)}`,
    `  projector  ${formatFlops(f.projector.total)}`,
    `  prefill    ${formatFlops(f.prefill.total)}`,
    `  decode     ${formatFlops(f.decode.total)}  (${f.decode.steps} steps)`,
    `  LM head    ${formatFlops(f.lmHead.total)}`,
    `  total      ${formatFlops(f.total)}`,
    `  decoder layer: ${f.formulas.decoderLayer}`,
    '',
    `Latency, median (min–max) of ${run.repeats} runs after ${run.warmup} warm-up; graph build ${run.buildSeconds.toFixed(2)} s:`,
    ...['preprocess', 'vision', 'prefill', 'decode', 'total'].map((k) => `  ${k.padEnd(10)} ${p(k)}`),
    '',
  ].join('\n');
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Answer a question about an image; print answer, FLOPs, latency and provider',
  usage,
  async run(argv) {
    const values = parseOptions(argv, {
      model: { type: 'string' }, image: { type: 'string', multiple: true }, question: { type: 'string' }, json: { type: 'boolean' },
      threads: { type: 'string' }, repeats: { type: 'string' }, 'max-new-tokens': { type: 'string' },
      method: { type: 'string', multiple: true }, retention: { type: 'string', multiple: true }, param: { type: 'string', multiple: true },
    });
    const modelDir = values.model ?? (existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : undefined);
    if (!modelDir) throw new UsageError(`--model is required (${DEFAULT_MODEL} is not there).`);
    const images = values.image ?? [];
    if (images.length === 0) throw new UsageError('--image is required.');
    if (!values.question) throw new UsageError('--question is required.');
    for (const img of images) if (!existsSync(img)) throw new Error(`Image ${resolve(img)} does not exist.`);
    const threads = values.threads === undefined ? undefined : positiveInt(values.threads, '--threads', 1);
    const repeats = positiveInt(values.repeats, '--repeats', 3);
    const maxNewTokens = positiveInt(values['max-new-tokens'], '--max-new-tokens', 32);
    const methods = methodSpecs(values.method ?? [], values.retention ?? [], values.param ?? []);

    const model = await loadModel(modelDir);
    const rt = new VlmRuntime(model, threads === undefined ? {} : { intraOpThreads: threads });
    try {
      if (methods.length > 0) return await runMethods(rt, { modelDir, images, question: values.question, methods, maxNewTokens, repeats, json: values.json === true });
      const run = await measuredAnswer(rt, { images, question: values.question, maxNewTokens }, { repeats });
      if (values.json) {
        const r = run.result;
        const out = {
          model: { dir: resolve(modelDir), name: model.name },
          question: values.question,
          answer: r.answer,
          ids: r.ids,
          firstToken: { id: r.firstToken.id, prob: r.firstToken.probs[r.firstToken.id] },
          provider: r.provider,
          threads: r.threads,
          machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length },
          tokens: { ...r.tokenCounts, layout: { prefix: r.layout.prefixLength, visual: r.layout.visualIds.length, suffix: r.layout.suffixLength } },
          flops: run.flops,
          latency: { unit: 'ms', warmup: run.warmup, repeats: run.repeats, buildSeconds: run.buildSeconds, phases: run.latency },
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(text(run, resolve(modelDir), values.question));
      }
      return 0;
    } finally {
      await rt.dispose();
      model.weights.close();
    }
  },
};
