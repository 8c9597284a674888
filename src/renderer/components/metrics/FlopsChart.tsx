/**
 * FLOPs per method as stacked bars (vision, prefill, decode, method overhead), the unpruned model
 * first. Hovering a bar shows the share of the unpruned total, the FLOPs convention, and for every
 * phase its total with each term's formula (model sizes filled in, shared/flops.ts) and the token
 * counts it was evaluated at (lib/flopsDetails.ts).
 */
import { useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MethodResult } from '../../../shared/schemas/runs';
import { formatFlops } from '../../../shared/flops';
import { flopsDetails, termLine } from '../../lib/flopsDetails';
import { FLOPS_PHASES, flopsRows, shortFlops, type FlopsRow } from '../../lib/metricsData';
import { AXIS, seriesColor } from './palette';

const PHASE_COLORS = { vision: '#8e44ad', prefill: '#2f6fdb', decode: '#27ae60', overhead: '#e67e22' } as const;

/** The hover card of one bar: totals, then each phase with its terms' formulas and counts. */
export function FlopsTooltip({ row, result }: { row: FlopsRow | undefined; result: MethodResult | undefined }) {
  if (!row || !result) return null;
  return (
    <div className="chart-tooltip flops-tooltip" data-testid="flops-tooltip">
      <strong>{row.method}</strong>: {formatFlops(row.total)} ({(row.relative * 100).toFixed(1)}% of unpruned) · {result.flops.convention} convention, {result.flops.unit}
      {flopsDetails(result).map((phase) => (
        <div key={phase.key} className="flops-phase" data-phase={phase.key}>
          <div>
            <span className="flops-swatch" style={{ background: PHASE_COLORS[phase.key] }} aria-hidden="true" /> {phase.label}: {formatFlops(phase.total)}
          </div>
          <ul>
            {phase.terms.map((t, i) => (
              <li key={i}>{termLine(t)}</li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

const FLOAT_WIDTH = 500;

/**
 * Puts the hover card in the page's top layer next to the hovered bar: every formula makes it
 * taller and wider than the chart, and inside the chart it was cut off by the metrics region.
 * It opens above the chart when the chart sits in the lower half of the window, else below it.
 */
function Floating({ chart, x, children }: { chart: DOMRect; x: number; children: ReactNode }) {
  const left = Math.max(8, Math.min(chart.left + x + 12, window.innerWidth - FLOAT_WIDTH - 8));
  const above = chart.top > window.innerHeight / 2;
  const style = above ? { left, bottom: window.innerHeight - chart.top + 4 } : { left, top: chart.bottom + 4 };
  return createPortal(
    <div className="chart-float" style={{ ...style, width: FLOAT_WIDTH }}>
      {children}
    </div>,
    document.body,
  );
}

/** `labels` maps method ids to display names. */
export function FlopsChart({ results, labels }: { results: readonly MethodResult[]; labels: (id: string) => string }) {
  const rows = flopsRows(results).map((r) => ({ ...r, method: labels(r.method) }));
  const figure = useRef<HTMLElement>(null);
  return (
    <figure className="chart" data-testid="chart-flops" ref={figure}>
      <figcaption>FLOPs per phase</figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="method" tick={AXIS} />
          <YAxis tick={AXIS} tickFormatter={shortFlops} width={44} />
          <Tooltip
            content={({ active, label, coordinate }) => {
              if (!active) return null;
              const i = rows.findIndex((r) => r.method === label);
              const card = <FlopsTooltip row={rows[i]} result={results[i]} />;
              const chart = figure.current?.getBoundingClientRect();
              return chart && coordinate ? (
                <Floating chart={chart} x={coordinate.x}>
                  {card}
                </Floating>
              ) : (
                card
              );
            }}
          />
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
