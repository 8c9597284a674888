/**
 * Measured latency per phase (median over the run's repeats), stacked per method. Hover shows each
 * phase's median with its spread (p10–p90) and the sample count.
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MethodResult } from '../../../shared/schemas/runs';
import { LATENCY_PHASES, latencyRows } from '../../lib/metricsData';
import { AXIS } from './palette';

const PHASE_COLORS = { preprocess: '#95a5a6', vision: '#8e44ad', prefill: '#2f6fdb', decode: '#27ae60' } as const;

function LatencyTooltip({ result, label }: { result: MethodResult | undefined; label: string }) {
  if (!result) return null;
  return (
    <div className="chart-tooltip">
      <strong>{label}</strong>
      {LATENCY_PHASES.map((p) => {
        const s = result.latency[p];
        return s ? (
          <div key={p}>
            {p}: {s.median.toFixed(1)} ms (p10–p90 {s.p10.toFixed(1)}–{s.p90.toFixed(1)}, n = {s.samples})
          </div>
        ) : null;
      })}
      {result.latency.total ? <div>total: {result.latency.total.median.toFixed(1)} ms</div> : null}
      {result.reused ? <div className="muted">Reused from an earlier run of this question: these are that run's times.</div> : null}
    </div>
  );
}

/** `labels` maps method ids to display names. */
export function LatencyChart({ results, labels }: { results: readonly MethodResult[]; labels: (id: string) => string }) {
  const rows = latencyRows(results).map((r, i) => ({ ...r, method: labels(String(r.method)), index: i }));
  return (
    <figure className="chart" data-testid="chart-latency">
      <figcaption>Latency per phase (ms, median)</figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="method" tick={AXIS} />
          <YAxis tick={AXIS} width={44} />
          <Tooltip content={({ active, label }) => (active ? <LatencyTooltip result={results[rows.findIndex((r) => r.method === label)]} label={String(label)} /> : null)} />
          {LATENCY_PHASES.map((p) => (
            <Bar key={p} dataKey={p} name={p} stackId="latency" fill={PHASE_COLORS[p]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
