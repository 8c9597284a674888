/** `tokenlab bench generate`: writes a Shapes benchmark split, or training data for models/reference/train. */
import { resolve } from 'node:path';
import { UsageError, type CliCommand } from '../command';
import { parseFlags } from './args';
import { generateBenchmark } from '../../engine/bench/benchWriter';
import { exportTrainingData } from '../../engine/bench/trainExport';
import { SPLITS, SPLIT_DEFAULTS, isSplit } from '../../engine/bench/splits';

const usage = `Usage: tokenlab bench generate --split train|val|test --out DIR [options]

Generates the synthetic Shapes benchmark, deterministically from a seed.

Options:
  --split S       train | val | test (sets the default seed and counts)
  --out DIR       output folder (created if missing)
  --count N       image samples (default: the split's; test ${SPLIT_DEFAULTS.test.images})
  --videos M      video samples (default: the split's; test ${SPLIT_DEFAULTS.test.videos})
  --frames F      frames per video (default 8)
  --seed S        seed (default: the split's; test ${SPLIT_DEFAULTS.test.seed})
  --format F      bench (PNG + MP4 + samples.jsonl, default) | train (raw frames, per-patch
                  labels and scenes.jsonl for models/reference/train/)

The built-in test split is also available as 'shapes:test' wherever a benchmark is named.`;

function intFlag(flags: Map<string, string | true>, name: string, fallback: number, min: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, not '${String(v)}'.`);
  return n;
}

async function generate(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ['split', 'out', 'count', 'videos', 'frames', 'seed', 'format'] });
  const split = flags.get('split');
  if (typeof split !== 'string' || !isSplit(split)) throw new UsageError(`--split must be one of ${SPLITS.join(', ')}.`);
  const out = flags.get('out');
  if (typeof out !== 'string') throw new UsageError('--out DIR is required.');
  const d = SPLIT_DEFAULTS[split];
  const images = intFlag(flags, 'count', d.images, 0);
  const videos = intFlag(flags, 'videos', d.videos, 0);
  const frames = intFlag(flags, 'frames', 8, 2);
  const seed = intFlag(flags, 'seed', d.seed, 0);
  const format = flags.get('format') ?? 'bench';
  if (format !== 'bench' && format !== 'train') throw new UsageError(`--format must be 'bench' or 'train', not '${String(format)}'.`);
  if (images + videos === 0) throw new UsageError('nothing to generate: --count and --videos are both 0.');
  const dir = resolve(out);
  const t0 = Date.now();
  let last = 0;
  const onProgress = (done: number, total: number): void => {
    if (process.stderr.isTTY && (Date.now() - last > 500 || done === total)) {
      last = Date.now();
      process.stderr.write(`\r${done}/${total}`);
    }
  };
  if (format === 'train') {
    const r = exportTrainingData({ out: dir, seed, images, videos, frames, onProgress });
    process.stdout.write(`wrote ${r.scenes} training scenes (${r.frames} frames) to ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  } else {
    await generateBenchmark({ out: dir, seed, images, videos, frames, split, name: `shapes:${split}`, onProgress });
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(`wrote ${images} image and ${videos} video samples (seed ${seed}) to ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return 0;
}

/** `tokenlab bench generate ...` (the only sub-command so far). */
export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Generate the synthetic Shapes benchmark (or training data)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'generate') throw new UsageError(sub ? `unknown sub-command '${sub}'.` : 'missing sub-command.');
    return generate(rest);
  },
};
