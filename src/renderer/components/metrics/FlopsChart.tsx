/**
 * FLOPs per method as stacked bars (vision, prefill, decode, method overhead), the unpruned model
 * first. Hovering a bar shows every phase's number, the share of the unpruned total, the FLOPs
 * convention and the decoder-layer formula the engine used (shared/flops.ts).
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MethodResult } from '../../../shared/schemas/runs';
import { formatFlops } from '../../../shared/flops';
import { FLOPS_PHASES, flopsRows, shortFlops, type FlopsRow } from '../../lib/metricsData';
import { AXIS, seriesColor } from './palette';

const PHASE_COLORS = { vision: '#8e44ad', prefill: '#2f6fdb', decode: '#27ae60', overhead: '#e67e22' } as const;

function FlopsTooltip({ row, formula, convention }: { row: FlopsRow | undefined; formula: string; convention: string }) {
  if (!row) return null;
  return (
    <div className="chart-tooltip">
      <strong>{row.method}</strong>: {formatFlops(row.total)} ({(row.relative * 100).toFixed(1)}% of unpruned)
      {FLOPS_PHASES.map((p) => (
        <div key={p.key}>
          {p.label}: {formatFlops(row[p.key])}
        </div>
      ))}
      <div className="muted">Decoder layer ({convention}): {formula}</div>
    </div>
  );
}

/** `labels` maps method ids to display names. */
export function FlopsChart({ results, labels }: { results: readonly MethodResult[]; labels: (id: string) => string }) {
  const rows = flopsRows(results).map((r) => ({ ...r, method: labels(r.method) }));
  const first = results[0];
  return (
    <figure className="chart" data-testid="chart-flops">
      <figcaption>FLOPs per phase</figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="method" tick={AXIS} />
          <YAxis tick={AXIS} tickFormatter={shortFlops} width={44} />
          <Tooltip content={({ active, label }) => (active ? <FlopsTooltip row={rows.find((r) => r.method === label)} formula={first?.flops.formula ?? ''} convention={first?.flops.convention ?? ''} /> : null)} />
          {FLOPS_PHASES.map((p) => (
            <Bar key={p.key} dataKey={p.key} name={p.label} stackId="flops" fill={PHASE_COLORS[p.key]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <p className="chart-note muted">
        {rows.map((r, i) => (
          <span key={i} style={{ color: seriesColor(i) }}>
            {r.method} {(r.relative * 100).toFixed(0)}%{' '}
          </span>
        ))}
      </p>
    </figure>
  );
}
