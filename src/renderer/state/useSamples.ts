/**
 * Samples of the built-in Shapes test split (`bench:samples` on 'shapes:test'), fetched a page at
 * a time when the user asks for them. The first request may generate the split (progress
 * 'generate'); it is cached by the engine after that.
 */
import { useCallback, useState } from 'react';
import type { BenchSampleSummary } from '../../shared/schemas/bench';
import { useClient } from './client';
import type { NoticesApi } from './notices';

/** The samples fetched so far, the total, and the page loader. */
export interface SamplesApi {
  samples: BenchSampleSummary[];
  total: number | null;
  loading: string | null;
  /** Fetches the next page (the first on the first call). */
  more(): Promise<void>;
}

const PAGE = 12;
/** The benchmark the sample picker lists. */
export const SAMPLE_BENCH = 'shapes:test';

/** Holds the pages fetched so far; failures become notices. */
export function useSamples(notices: Pick<NoticesApi, 'pushError'>): SamplesApi {
  const client = useClient();
  const [samples, setSamples] = useState<BenchSampleSummary[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  const { pushError } = notices;
  const more = useCallback(async () => {
    setLoading('Loading samples…');
    try {
      const page = await client.call('bench:samples', { bench: SAMPLE_BENCH, kind: 'image', offset: samples.length, limit: PAGE }, { onProgress: (p) => setLoading(p.message ?? 'Preparing the Shapes test split…') });
      setSamples((s) => [...s, ...page.samples]);
      setTotal(page.total);
    } catch (err) {
      pushError(err);
    } finally {
      setLoading(null);
    }
  }, [client, pushError, samples.length]);
  return { samples, total, loading, more };
}
