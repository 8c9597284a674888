/**
 * Loads a benchmark folder (samples.jsonl + media, optional meta.json) with errors a user can act
 * on: which file, which line, what is wrong, what to do.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchMetaSchema, benchSampleSchema, type BenchMeta, type BenchSample } from './types';

/** A loaded benchmark: its folder, meta (when present) and validated samples. */
export interface LoadedBenchmark {
  dir: string;
  meta?: BenchMeta;
  samples: BenchSample[];
}

/** Thrown for anything wrong with a benchmark folder. */
export class BenchmarkError extends Error {
  override name = 'BenchmarkError';
}

function issues(err: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return err.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Absolute paths of a sample's media: the file, and for a video its frame images. */
export function mediaPaths(bench: LoadedBenchmark, sample: BenchSample): { path: string; frames?: string[] } {
  const path = join(bench.dir, sample.media.path);
  return sample.media.kind === 'video' ? { path, frames: sample.media.frames.map((f) => join(bench.dir, f)) } : { path };
}

/**
 * Reads and validates `dir/samples.jsonl`. Checks every line against the sample schema, that ids
 * are unique and that every referenced media file exists (paths must stay inside the folder).
 * Throws BenchmarkError naming the file and line. `limit` keeps only the first samples.
 */
export function loadBenchmark(dir: string, limit?: number): LoadedBenchmark {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new BenchmarkError(`Benchmark folder not found: ${root}. Generate one with \`tokenlab bench generate --split test --out DIR\`, or use shapes:test.`);
  }
  const file = join(root, 'samples.jsonl');
  if (!existsSync(file)) throw new BenchmarkError(`${file} does not exist: ${root} is not a benchmark folder (expected samples.jsonl, one JSON sample per line).`);
  let meta: BenchMeta | undefined;
  const metaFile = join(root, 'meta.json');
  if (existsSync(metaFile)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(metaFile, 'utf8'));
    } catch (err) {
      throw new BenchmarkError(`${metaFile} is not valid JSON (${(err as Error).message}); regenerate the benchmark.`);
    }
    const parsed = benchMetaSchema.safeParse(raw);
    if (!parsed.success) throw new BenchmarkError(`${metaFile}: ${issues(parsed.error)}`);
    meta = parsed.data;
  }
  const samples: BenchSample[] = [];
  const ids = new Set<string>();
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (!line) continue;
    if (limit !== undefined && samples.length >= limit) break;
    const where = `${file} line ${n + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new BenchmarkError(`${where} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = benchSampleSchema.safeParse(raw);
    if (!parsed.success) throw new BenchmarkError(`${where} is not a valid sample: ${issues(parsed.error)}`);
    const s = parsed.data;
    if (ids.has(s.id)) throw new BenchmarkError(`${where}: duplicate sample id '${s.id}'.`);
    ids.add(s.id);
    const rel = s.media.kind === 'video' ? [s.media.path, ...s.media.frames] : [s.media.path];
    for (const r of rel) {
      const abs = resolve(root, r);
      if (!abs.startsWith(root)) throw new BenchmarkError(`${where}: media path '${r}' points outside the benchmark folder.`);
      if (!existsSync(abs)) throw new BenchmarkError(`${where}: media file '${r}' is missing (${abs}).`);
    }
    samples.push(s);
  }
  if (samples.length === 0) throw new BenchmarkError(`${file} holds no samples.`);
  return meta ? { dir: root, meta, samples } : { dir: root, samples };
}
