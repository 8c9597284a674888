/**
 * `tokenlab eval`: accuracy of a model folder on a benchmark (a folder with samples.jsonl, or the
 * built-in `shapes:test`), overall, per question type next to the type's majority-class rate,
 * and per media kind, with the mean latency. Progress goes to stderr so `--json` stays parseable.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appRoot } from '../../engine/api/appRoot';
import { loadBenchmark } from '../../engine/bench/loader';
import { resolveBenchmark } from '../../engine/bench/splits';
import { evaluateMethod, type MethodEvalReport } from '../../engine/eval/compare';
import { evaluate, type EvalReport } from '../../engine/eval/evaluate';
import { evaluateOracle } from '../../engine/eval/oracle';
import { loadModel } from '../../engine/models/checkpoint/load';
import { VlmRuntime } from '../../engine/models/runtime/vlm';
import { planMethods } from '../../engine/runs/method-pass';
import { UsageError, type CliCommand } from '../command';
import { parseFlags } from './args';
import { methodSpecs } from './method-args';

const usage = `Usage: tokenlab eval [--model DIR] [--bench DIR|shapes:test] [options]

Answers every sample of a benchmark with a model (unpruned, greedy) and reports accuracy
(normalised exact match) overall, per question type next to that type's majority-class rate,
and for images and videos, with the mean latency per sample.

Options:
  --model DIR            model folder (default: the bundled models/reference)
  --bench DIR|NAME       benchmark folder (samples.jsonl) or shapes:test (default; generated
                         once into the cache)
  --limit N              evaluate N samples, shared among question types in proportion
  --max-new-tokens N     longest answer in tokens (default 8)
  --threads N            onnxruntime intra-op threads (default 1 on ≤ 2 cores, else automatic)
  --method ID            evaluate a compression method (tokenlab methods) instead of the unpruned
                         model; each sample's unpruned pass is computed once and is the reference
  --retention R          with --method: fraction of visual tokens kept, 0 < R ≤ 1 (0.25 or 1/4)
  --param K=V            with --method: a method parameter (repeatable); V is JSON or text
  --oracle               evaluate the oracle instead: keep only the visual tokens whose patches
                         cover the question's objects (the sample's ground-truth boxes, per frame
                         for videos), at their original positions; retention is then the mean
                         share kept
  --json                 print one JSON object: accuracy (0–1), n, byType {type: {accuracy, n,
                         majority}}, byKind, meanLatencyMs, model, bench, provider; with
                         --method also agreement (first-token top-1 with the unpruned model),
                         kl, flopsRatio, equivalentTokens, relevantKept, unprunedAccuracy, method
                         (the same with --oracle)
  --samples              with --json, include every sample's answer`;

function wholeNumber(value: string | true | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, got '${String(value)}'.`);
  return Number(value);
}

/** The bundled model's folder, or an error saying what to pass instead. */
function defaultModel(): string {
  const dir = join(appRoot(), 'models', 'reference');
  if (!existsSync(join(dir, 'config.json'))) {
    throw new Error(`no --model given and the bundled reference model is not there (${dir} has no config.json). Pass --model DIR with a Hugging Face LLaVA folder.`);
  }
  return dir;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The repeatable --param flags pulled out of argv (parseFlags takes each flag once). */
function takeParams(argv: string[]): { rest: string[]; params: string[] } {
  const rest: string[] = [];
  const params: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--param') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError('--param needs a value.');
      params.push(v);
    } else if (a.startsWith('--param=')) params.push(a.slice('--param='.length));
    else rest.push(a);
  }
  return { rest, params };
}

function methodLines(r: MethodEvalReport, visual: number): string[] {
  return [
    `Method:    ${r.method.id} at retention ${r.method.retention.toFixed(3)} (unpruned accuracy on the same samples ${pct(r.unprunedAccuracy)})`,
    `Fidelity:  first-token agreement ${pct(r.agreement)}, same answer ${pct(r.sameAnswer)}, mean KL ${r.kl.toExponential(2)} nats`,
    `Cost:      FLOPs ratio ${r.flopsRatio.toFixed(3)}, equivalent tokens ${r.equivalentTokens.toFixed(1)} of ${visual}, achieved retention ${r.achievedRetention.toFixed(3)}`,
    `Relevant:  ${r.relevantKept === null ? 'n/a (no image sample with boxes)' : `${pct(r.relevantKept)} of the question-relevant tokens kept (layer average)`}`,
    '',
  ];
}

function table(report: EvalReport, modelDir: string, benchRef: string, provider: string): string {
  const rows = Object.entries(report.byType).map(([type, c]) => `  ${type.padEnd(14)} ${String(c.n).padStart(5)}  ${pct(c.accuracy).padStart(7)}  ${pct(c.majority).padStart(8)}  ${(c.accuracy - c.majority >= 0 ? '+' : '') + (100 * (c.accuracy - c.majority)).toFixed(1)}`);
  const kinds = Object.entries(report.byKind).map(([kind, c]) => `  ${`${kind}s`.padEnd(14)} ${String(c.n).padStart(5)}  ${pct(c.accuracy).padStart(7)}`);
  const lat = report.meanLatencyMs;
  const phases = ['preprocess', 'vision', 'prefill', 'decode'].filter((p) => lat[p] !== undefined).map((p) => `${p} ${lat[p]!.toFixed(1)}`);
  return [
    `Model:     ${modelDir} (provider ${provider})`,
    `Benchmark: ${benchRef}, ${report.n} of ${report.benchmarkSize} samples`,
    `Accuracy:  ${pct(report.accuracy)} (${report.correct}/${report.n})`,
    '',
    `  ${'type'.padEnd(14)} ${'n'.padStart(5)}  ${'accuracy'.padStart(7)}  ${'majority'.padStart(8)}  points above`,
    ...rows,
    '',
    ...kinds,
    '',
    `Mean latency: ${(lat.total ?? 0).toFixed(1)} ms per sample (${phases.join(', ')} ms)`,
  ].join('\n');
}

/** `tokenlab eval`; exit code 0 after printing the report, errors name the model or benchmark file at fault. */
export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'accuracy of a model on a benchmark, per question type vs. its majority rate',
  usage,
  async run(argv) {
    const { rest, params } = takeParams(argv);
    const flags = parseFlags(rest, { values: ['model', 'bench', 'limit', 'max-new-tokens', 'threads', 'method', 'retention'], booleans: ['json', 'samples', 'oracle'] });
    const str = (name: string): string[] => {
      const v = flags.get(name);
      return typeof v === 'string' ? [v] : [];
    };
    const specs = methodSpecs(str('method'), str('retention'), params);
    const oracle = flags.get('oracle') === true;
    if (oracle && specs.length) throw new UsageError('--oracle and --method are exclusive: the oracle is its own pruning.');
    const limit = wholeNumber(flags.get('limit'), '--limit', 1);
    const maxNewTokens = wholeNumber(flags.get('max-new-tokens'), '--max-new-tokens', 1);
    const threads = wholeNumber(flags.get('threads'), '--threads', 0);
    const json = flags.get('json') === true;
    const modelFlag = flags.get('model');
    const modelDir = resolve(typeof modelFlag === 'string' ? modelFlag : defaultModel());
    const benchFlag = flags.get('bench');
    const benchRef = typeof benchFlag === 'string' ? benchFlag : 'shapes:test';
    const err = process.stderr;

    const benchDir = await resolveBenchmark(benchRef, (done, total) => {
      if (done === 1 || done === total || done % 100 === 0) err.write(`eval: generating ${benchRef}: ${done}/${total}\n`);
    });
    const bench = loadBenchmark(benchDir);
    err.write(`eval: loading ${modelDir}\n`);
    const model = await loadModel(modelDir);
    const rt = new VlmRuntime(model, threads === undefined ? {} : { intraOpThreads: threads });
    try {
      const started = performance.now();
      let correct = 0;
      const onSample = (done: number, total: number, outcome: { correct: boolean }): void => {
        if (outcome.correct) correct++;
        const every = Math.max(1, Math.floor(total / 20));
        if (done % every === 0 || done === total) {
          const rate = done / ((performance.now() - started) / 1000);
          err.write(`eval: ${done}/${total}  accuracy so far ${pct(correct / done)}  (${rate.toFixed(1)} samples/s)\n`);
        }
      };
      const plan = specs.length ? planMethods(specs, model.config, 1) : [];
      const methodReport = oracle
        ? await evaluateOracle(rt, bench, { limit, maxNewTokens, onOutcome: onSample })
        : specs.length ? await evaluateMethod(rt, bench, plan, { limit, maxNewTokens, onOutcome: onSample }) : undefined;
      const report: EvalReport | MethodEvalReport = methodReport ?? (await evaluate(rt, bench, { limit, maxNewTokens, onSample }));
      const provider = rt.provider;
      if (json) {
        const { samples, ...summary } = report;
        const threadsUsed = rt.graphs.threads;
        const out = {
          ...summary,
          model: { dir: modelDir, name: model.name },
          bench: { ref: benchRef, dir: bench.dir, name: bench.meta?.name },
          provider,
          threads: { intraOp: threadsUsed.intraOpThreads, interOp: threadsUsed.interOpThreads },
          ...(flags.get('samples') === true ? { samples } : {}),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        const visual = (model.config.vision.imageSize / model.config.vision.patchSize) ** 2;
        process.stdout.write(`${table(report, modelDir, benchRef, provider)}\n${methodReport ? methodLines(methodReport, visual).join('\n') : ''}`);
      }
      return 0;
    } finally {
      await rt.dispose();
      model.weights.close();
    }
  },
};
