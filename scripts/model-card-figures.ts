/**
 * `npm run figures:model-card [-- options]`: the engine-measured figures of the reference model's
 * card (issue 4). Every picked sample of the Shapes test split is answered unpruned, with the
 * oracle (only the visual tokens covering the question's objects, from the ground-truth boxes)
 * and with random at retention 1/9 (seed 0, as `tokenlab eval --method random --retention 1/9`),
 * one unpruned pass per sample shared by both. The block between the engine-figures markers of
 * MODEL_CARD.md is replaced (appended when absent); the rest of the card is left alone.
 *
 * Options: --model DIR (default models/reference), --bench DIR|shapes:test, --limit N (a subset
 * stratified by media kind and question type), --threads N, --card FILE (default
 * DIR/MODEL_CARD.md), --print (print the block, write nothing).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBenchmark } from '../src/engine/bench/loader';
import { resolveBenchmark } from '../src/engine/bench/splits';
import { cardFigures, checkTargets, putBlock, renderBlock } from '../src/engine/eval/card-figures';
import { compareOnSample, type MethodOutcome } from '../src/engine/eval/compare';
import { pickSamples, type SampleOutcome } from '../src/engine/eval/evaluate';
import { oracleMethod } from '../src/engine/eval/oracle';
import { loadModel } from '../src/engine/models/checkpoint/load';
import { VlmRuntime } from '../src/engine/models/runtime/vlm';
import { runGeometry } from '../src/engine/pruners/bind';
import { budgetFor } from '../src/engine/pruners/common';
import { getPruner } from '../src/engine/pruners/registry';
import type { PlannedMethod } from '../src/engine/runs/method-pass';

const RANDOM_RETENTION = 1 / 9;
const RANDOM_SEED = 0;

const { values } = parseArgs({
  options: { model: { type: 'string' }, bench: { type: 'string' }, limit: { type: 'string' }, threads: { type: 'string' }, card: { type: 'string' }, print: { type: 'boolean' } },
});
const modelDir = resolve(values.model ?? 'models/reference');
const weights = join(modelDir, 'model.safetensors');
if (!existsSync(join(modelDir, 'config.json')) || !existsSync(weights)) {
  process.stderr.write(`figures:model-card: ${modelDir} needs config.json and model.safetensors; pass --model DIR.\n`);
  process.exit(2);
}
const limit = values.limit === undefined ? undefined : Number(values.limit);
if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error(`--limit must be a whole number ≥ 1, got '${values.limit}'`);
const benchRef = values.bench ?? 'shapes:test';
const cardFile = resolve(values.card ?? join(modelDir, 'MODEL_CARD.md'));

/** The export: sha256 of the weights, and the last commit that touched them (and whether the file differs from it). */
function exportLine(): string {
  const sha = createHash('sha256').update(readFileSync(weights)).digest('hex');
  const size = (readFileSync(weights).length / 2 ** 20).toFixed(1);
  let commit = 'not in git';
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: modelDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const last = git('log', '-1', '--format=%h %cd', '--date=format-local:%Y-%m-%d %H:%M UTC', '--', 'model.safetensors');
    const dirty = git('status', '--porcelain', '--', 'model.safetensors');
    if (last) commit = `last committed in ${last}${dirty ? ', working copy differs from that commit' : ''}`;
  } catch {
    // not a git checkout: the sha256 alone identifies the export
  }
  return `\`model.safetensors\` sha256 \`${sha.slice(0, 16)}…\` (${size} MiB; ${commit})`;
}

const bench = loadBenchmark(await resolveBenchmark(benchRef, (d, t) => d % 200 === 0 && process.stderr.write(`generating ${benchRef}: ${d}/${t}\n`)));
const picked = pickSamples(bench.samples, limit, (s) => `${s.media.kind}/${s.type}`);
const model = await loadModel(modelDir);
const rt = new VlmRuntime(model, values.threads === undefined ? {} : { intraOpThreads: Number(values.threads) });
const random: PlannedMethod = { id: 'random', pruner: getPruner('random'), retention: RANDOM_RETENTION, params: {}, seed: RANDOM_SEED };
const exportDesc = exportLine();
process.stderr.write(`figures:model-card: ${picked.length} of ${bench.samples.length} samples × (unpruned, oracle, random 1/9) on ${exportDesc}\n`);

await rt.warm();
const threads = rt.graphs.threads;
const started = performance.now();
const unpruned: SampleOutcome[] = [];
const pruned: MethodOutcome[] = [];
try {
  for (const [i, sample] of picked.entries()) {
    const plan = [oracleMethod(sample, model.config, model.preprocessor), random];
    const r = await compareOnSample(rt, bench, sample, plan);
    unpruned.push(r.unpruned);
    pruned.push(...r.outcomes);
    if ((i + 1) % 25 === 0 || i + 1 === picked.length) {
      const s = (performance.now() - started) / 1000;
      const right = (id: string): string => `${((100 * pruned.filter((o) => o.method === id && o.correct).length) / (i + 1)).toFixed(1)}%`;
      process.stderr.write(`figures:model-card: ${i + 1}/${picked.length}, unpruned ${((100 * unpruned.filter((o) => o.correct).length) / (i + 1)).toFixed(1)}%, oracle ${right('oracle')}, random ${right('random')}; ${s.toFixed(0)} s, ~${((s / (i + 1)) * (picked.length - i - 1)).toFixed(0)} s left\n`);
    }
  }
} finally {
  await rt.dispose();
  model.weights.close();
}
const wallS = (performance.now() - started) / 1000;

const figures = cardFigures(unpruned, pruned, bench.samples);
const targets = checkTargets(figures, { oracle: 'oracle', random: 'random' });
const count = (kind: string, list: readonly { media: { kind: string } }[]): number => list.filter((s) => s.media.kind === kind).length;
const cpu = os.cpus();
const ortVersion = (await import('onnxruntime-node/package.json', { with: { type: 'json' } })).default.version;
const tokens = (frames: number): string => {
  const n = runGeometry(model.config, frames).visualTokens;
  return `${budgetFor(RANDOM_RETENTION, n)} of ${n} ${frames > 1 ? `${frames}-frame video` : 'image'} tokens`;
};
const videoFrames = [...new Set(picked.flatMap((s) => (s.media.kind === 'video' ? [s.media.frames.length] : [])))];
const block = renderBlock(figures, targets, {
  export: exportDesc,
  bench: `${bench.meta?.name ?? benchRef}${bench.meta?.seed === undefined ? '' : ` (seed ${bench.meta.seed})`}, ${bench.samples.length} samples (${count('image', bench.samples)} images, ${count('video', bench.samples)} videos)`,
  samples: limit === undefined || limit >= bench.samples.length
    ? `all ${picked.length} samples evaluated`
    : `a subset of n = ${picked.length} (${count('image', picked)} images, ${count('video', picked)} videos), stratified by media kind and question type (majority rates over the whole split)`,
  machine: `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (shared with other work while measured), Node ${process.version}, onnxruntime-node ${ortVersion}, provider ${rt.provider}, ${threads.intraOpThreads ?? 'auto'} intra-op thread(s)`,
  date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  command: `npm run figures:model-card${limit === undefined ? '' : ` -- --limit ${limit}`}`,
  wall: `${(wallS / 60).toFixed(1)} min for ${3 * picked.length} passes`,
}, {
  oracle: 'oracle: only the tokens covering the question\'s objects, at their original positions (ground-truth boxes; per frame for videos)',
  random: `random 1/9 (seed ${RANDOM_SEED}: ${[1, ...videoFrames].map(tokens).join(', ')})`,
});

if (values.print) process.stdout.write(`${block}\n`);
else {
  const card = existsSync(cardFile) ? readFileSync(cardFile, 'utf8') : '';
  writeFileSync(cardFile, putBlock(card, block));
  process.stderr.write(`figures:model-card: wrote the block into ${relative(process.cwd(), cardFile) || cardFile}\n`);
  process.stdout.write(`${block}\n`);
}
