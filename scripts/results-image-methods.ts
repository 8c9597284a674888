/**
 * `npm run results:image [-- options]`: every compression method on the image samples of the
 * Shapes test split at retention 1/2, 1/4 and 1/9 — accuracy, relative accuracy, agreement and KL
 * to the unpruned model, equivalent tokens, FLOPs ratio, share of question-relevant tokens kept —
 * written to docs/results/image-methods.md.
 *
 * Long on a small machine, so it is incremental: every finished (sample, method, retention)
 * appends a JSON line to a records file keyed by the model's digest, and a rerun skips what is
 * there (each sample's unpruned pass is computed once per run of the sample and reused by all of
 * its methods). The page is rebuilt from the records of the picked samples every time. Records
 * are keyed by the model's and the benchmark's digests, not by the code: after changing a
 * method, delete the records file (its path is printed at the start) to measure it again.
 *
 * Options: --model DIR (default models/reference), --bench DIR|shapes:test, --limit N (a subset,
 * stratified by question type), --methods a,b (default: all), --cache DIR (default
 * .cache/results-image-methods), --out FILE (default docs/results/image-methods.md), --threads N.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBenchmark } from '../src/engine/bench/loader';
import { resolveBenchmark } from '../src/engine/bench/splits';
import { compareOnSample } from '../src/engine/eval/compare';
import { pickSamples } from '../src/engine/eval/evaluate';
import { aggregate, methodRecord, recordKey, renderPage, unprunedRecord, type ResultRecord } from '../src/engine/eval/method-results';
import { loadModel } from '../src/engine/models/checkpoint/load';
import { VlmRuntime } from '../src/engine/models/runtime/vlm';
import { listPruners } from '../src/engine/pruners/registry';
import { planMethods } from '../src/engine/runs/method-pass';

const RETENTIONS = [1 / 2, 1 / 4, 1 / 9];

const { values } = parseArgs({
  options: {
    model: { type: 'string' }, bench: { type: 'string' }, limit: { type: 'string' }, methods: { type: 'string' },
    cache: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' },
  },
});
const modelDir = resolve(values.model ?? 'models/reference');
if (!existsSync(join(modelDir, 'config.json'))) {
  process.stderr.write(`results:image: ${modelDir} has no config.json; pass --model DIR (the reference model is exported to models/reference).\n`);
  process.exit(2);
}
const limit = values.limit === undefined ? undefined : Number(values.limit);
if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error(`--limit must be a whole number ≥ 1, got '${values.limit}'`);
const known = listPruners().map((p) => p.id);
const methods = values.methods ? values.methods.split(',').map((m) => m.trim()) : known;
const benchRef = values.bench ?? 'shapes:test';
const outFile = resolve(values.out ?? 'docs/results/image-methods.md');

/**
 * sha1 of config.json and the weight files' names and bytes: records of another export are not
 * reused (a re-export of the same architecture has the same sizes, so sizes alone would collide).
 */
function modelDigest(dir: string): string {
  const h = createHash('sha1').update(readFileSync(join(dir, 'config.json')));
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.safetensors')).sort()) h.update(`${f}:`).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

const bench = loadBenchmark(await resolveBenchmark(benchRef, (d, t) => d % 200 === 0 && process.stderr.write(`generating ${benchRef}: ${d}/${t}\n`)));
const images = bench.samples.filter((s) => s.media.kind === 'image');
const picked = pickSamples(images, limit, (s) => s.type);
const model = await loadModel(modelDir);
const rt = new VlmRuntime(model, values.threads === undefined ? {} : { intraOpThreads: Number(values.threads) });
const digest = modelDigest(modelDir);
const cacheDir = resolve(values.cache ?? '.cache/results-image-methods');
mkdirSync(cacheDir, { recursive: true });
// Keyed by the benchmark's samples too: sample ids repeat across generated benchmarks.
const benchDigest = createHash('sha1').update(readFileSync(join(bench.dir, 'samples.jsonl'))).digest('hex').slice(0, 8);
const recordsFile = join(cacheDir, `${(bench.meta?.name ?? 'bench').replace(/[^\w.-]+/g, '_')}-${benchDigest}-${digest}.jsonl`);
const records: ResultRecord[] = existsSync(recordsFile)
  ? readFileSync(recordsFile, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
      try {
        return [JSON.parse(l) as ResultRecord];
      } catch {
        return []; // a line cut short by a kill: its pass runs again
      }
    })
  : [];
const done = new Set(records.map((r) => recordKey(r.sample, r.method, r.retention)));
const plan = planMethods(methods.flatMap((id) => RETENTIONS.map((retention) => ({ id, retention }))), model.config, 1).filter((m) => m.pruner);
const append = (r: ResultRecord): void => {
  appendFileSync(recordsFile, `${JSON.stringify(r)}\n`);
  records.push(r);
  done.add(recordKey(r.sample, r.method, r.retention));
};

process.stderr.write(`results:image: ${picked.length} samples × ${plan.length} method settings on ${model.name}; records ${relative(process.cwd(), recordsFile)} (${records.length} already)\n`);
await rt.warm();
const started = performance.now();
let ran = 0;
for (const [i, sample] of picked.entries()) {
  const missing = plan.filter((m) => !done.has(recordKey(sample.id, m.id, m.retention)));
  if (missing.length === 0 && done.has(recordKey(sample.id, 'none', 1))) continue;
  const boxes = Array.isArray(sample.boxes) ? sample.boxes.length : 0;
  const { unpruned } = await compareOnSample(rt, bench, sample, missing, { onOutcome: (o) => append(methodRecord(o, boxes)) });
  if (!done.has(recordKey(sample.id, 'none', 1))) append(unprunedRecord(unpruned, boxes));
  ran++;
  const perSample = (performance.now() - started) / ran / 1000;
  process.stderr.write(`results:image: sample ${i + 1}/${picked.length} (${sample.id}), ${perSample.toFixed(1)} s/sample, ~${((perSample * (picked.length - i - 1)) / 60).toFixed(0)} min left\n`);
}

const cpu = os.cpus();
const ortVersion = (await import('onnxruntime-node/package.json', { with: { type: 'json' } })).default.version;
const { unpruned, cells } = aggregate(records, new Set(picked.map((s) => s.id)), methods, RETENTIONS);
const cfg = model.config;
const page = renderPage({
  model: `${model.name} (${relative(process.cwd(), modelDir) || modelDir}, digest ${digest}): ViT ${cfg.vision.numLayers}×${cfg.vision.hiddenSize}, decoder ${cfg.text.numLayers}×${cfg.text.hiddenSize}`,
  machine: `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, onnxruntime-node ${ortVersion}`,
  provider: rt.provider,
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  bench: bench.meta?.name ?? benchRef,
  samples: picked.length,
  benchmarkImages: images.length,
  visualTokens: (cfg.vision.imageSize / cfg.vision.patchSize) ** 2,
  command: `npm run results:image${limit === undefined ? '' : ` -- --limit ${limit}`}`,
  meanings: Object.fromEntries(listPruners().map((p) => [p.id, p.retention])),
  guidance: Object.fromEntries(listPruners().map((p) => [p.id, p.guidance])),
}, unpruned, cells, RETENTIONS);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, page);
process.stderr.write(`results:image: wrote ${relative(process.cwd(), outFile)}\n`);
await rt.dispose();
model.weights.close();
