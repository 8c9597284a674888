/**
 * The metrics region: the results table and three charts (FLOPs per phase, tokens per decoder
 * layer, latency per phase) for the latest run; before any run, what will appear here.
 */
import { memo, useMemo } from 'react';
import type { RunStartResponse } from '../../../shared/schemas/runs';
import { methodRuns } from '../../lib/runResults';
import { FlopsChart } from './FlopsChart';
import { LatencyChart } from './LatencyChart';
import { ResultsTable } from './ResultsTable';
import { TokensChart } from './TokensChart';

/**
 * `labels` maps method ids to display names (keep it stable). Memoised: recharts re-renders cost
 * tens of ms on 2 cores, and the app re-renders on every progress event of a run.
 */
export const MetricsPanel = memo(function MetricsPanel({ response, labels }: { response: RunStartResponse | null; labels: (id: string) => string }) {
  const runs = useMemo(() => (response ? methodRuns(response) : []), [response]);
  if (!response) return <p className="planned muted">Run a question to see each method's answer, FLOPs, tokens per decoder layer and latency here.</p>;
  const results = response.results;
  return (
    <div className="metrics" data-testid="metrics">
      <div className="charts">
        <FlopsChart results={results} labels={labels} />
        <TokensChart results={results} labels={labels} />
        <LatencyChart results={results} labels={labels} />
      </div>
      <ResultsTable runs={runs} labels={labels} />
    </div>
  );
});
