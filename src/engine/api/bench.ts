/**
 * Handler of `bench:samples`: a page of a benchmark's samples for the UI's sample picker. A
 * built-in name ('shapes:test') is resolved with the bench module's `resolveBenchmark`, which
 * generates the split once into the cache (progress phase 'generate'); a folder is read as is.
 * Loaded benchmarks are kept per folder, since paging through one should not re-read it.
 */
import type { Handlers } from '../../shared/api';
import { ApiError } from '../../shared/errors';
import { FfmpegMissingError } from '../bench/encodeVideo';
import { BenchmarkError, loadBenchmark, mediaPaths, type LoadedBenchmark } from '../bench/loader';
import { resolveBenchmark } from '../bench/splits';

/** The calls implemented here. */
export type BenchCallName = 'bench:samples';

const DEFAULT_BENCH = 'shapes:test';
const DEFAULT_LIMIT = 24;

/** The bench handlers, with a per-handler cache of loaded benchmarks. */
export function createBenchHandlers(): Pick<Handlers, BenchCallName> {
  const loaded = new Map<string, LoadedBenchmark>();
  return {
    'bench:samples': async (req, context) => {
      const ref = req.bench ?? DEFAULT_BENCH;
      let bench: LoadedBenchmark;
      try {
        const dir = await resolveBenchmark(ref, (done, total) => context.progress({ phase: 'generate', done, total, message: `Generating ${ref}: ${done}/${total}` }));
        bench = loaded.get(dir) ?? loadBenchmark(dir);
        loaded.set(dir, bench);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        if (err instanceof FfmpegMissingError) {
          throw new ApiError('unsupported', `The samples of '${ref}' are generated once on first use, and its videos need ffmpeg, which was not found.`, { subject: ref, hint: err.message, cause: err });
        }
        const reason = err instanceof BenchmarkError || err instanceof Error ? err.message : String(err);
        throw new ApiError('not-found', `Cannot open the benchmark '${ref}': ${reason}`, { subject: ref, hint: 'Use shapes:test, or a folder written by `tokenlab bench generate`.', cause: err });
      }
      const matching = req.kind ? bench.samples.filter((s) => s.media.kind === req.kind) : bench.samples;
      const offset = req.offset ?? 0;
      const page = matching.slice(offset, offset + (req.limit ?? DEFAULT_LIMIT));
      return {
        bench: ref,
        ...(bench.meta ? { name: bench.meta.name } : {}),
        total: matching.length,
        offset,
        samples: page.map((s) => ({
          id: s.id,
          kind: s.media.kind,
          question: s.question,
          answer: s.answer,
          type: s.type,
          path: mediaPaths(bench, s).path,
          width: s.media.width,
          height: s.media.height,
        })),
      };
    },
  };
}
