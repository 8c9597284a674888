/**
 * Built-in Shapes splits and the `shapes:<split>` benchmark names. Each split has a fixed seed;
 * the test split is what the model card and `tokenlab eval --bench shapes:test` report on, and
 * it is regenerated bit-for-bit from its seed into a cache folder the first time it is needed.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBenchmark, GENERATOR_VERSION } from './benchWriter';

/** The built-in split names. */
export const SPLITS = ['train', 'val', 'test'] as const;
/** A built-in split. */
export type SplitName = (typeof SPLITS)[number];

/** Default seed, image count and video count of each split. */
export const SPLIT_DEFAULTS: Record<SplitName, { seed: number; images: number; videos: number }> = {
  train: { seed: 1001, images: 1000, videos: 250 },
  val: { seed: 2002, images: 500, videos: 200 },
  test: { seed: 3003, images: 1000, videos: 400 },
};

/** Whether `name` is a built-in split. */
export function isSplit(name: string): name is SplitName {
  return (SPLITS as readonly string[]).includes(name);
}

/** The folder built-in benchmarks are cached in: $TOKENLAB_CACHE, else ~/.cache/tokenlab, else the OS temp dir. */
export function benchCacheRoot(): string {
  if (process.env.TOKENLAB_CACHE) return join(process.env.TOKENLAB_CACHE, 'bench');
  const home = homedir();
  return home ? join(home, '.cache', 'tokenlab', 'bench') : join(tmpdir(), 'tokenlab-bench');
}

/** Whether `ref` names a built-in benchmark (`shapes:train|val|test`). */
export function isBuiltinBenchmark(ref: string): boolean {
  const m = /^shapes:(\w+)$/.exec(ref);
  return !!m && isSplit(m[1]!);
}

/**
 * Resolves a benchmark reference to a folder: `shapes:<split>` is generated (once) into the
 * cache with the split's default seed and counts; anything else is returned unchanged as a
 * folder path. Generation writes to a temporary sibling and renames it into place, so an
 * interrupted run never leaves a half-written benchmark behind.
 */
export async function resolveBenchmark(ref: string, onProgress?: (done: number, total: number) => void): Promise<string> {
  if (!ref.startsWith('shapes:')) return ref;
  const split = ref.slice('shapes:'.length);
  if (!isSplit(split)) throw new Error(`Unknown built-in benchmark '${ref}'. Built-in benchmarks: ${SPLITS.map((s) => `shapes:${s}`).join(', ')}.`);
  const d = SPLIT_DEFAULTS[split];
  const root = benchCacheRoot();
  const dir = join(root, `${GENERATOR_VERSION}-${split}-${d.seed}`);
  if (existsSync(join(dir, 'meta.json'))) return dir;
  mkdirSync(root, { recursive: true });
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const opts = { out: tmp, seed: d.seed, images: d.images, videos: d.videos, name: `shapes:${split}`, split };
  await generateBenchmark(onProgress ? { ...opts, onProgress } : opts);
  if (existsSync(join(dir, 'meta.json'))) rmSync(tmp, { recursive: true, force: true }); // a concurrent run won
  else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  return dir;
}
