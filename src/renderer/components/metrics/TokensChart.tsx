/** Visual tokens entering each decoder layer, one line per method (from the results' token counts). */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MethodResult } from '../../../shared/schemas/runs';
import { tokenRows } from '../../lib/metricsData';
import { AXIS, seriesColor } from './palette';

/** `labels` maps method ids to display names. */
export function TokensChart({ results, labels }: { results: readonly MethodResult[]; labels: (id: string) => string }) {
  const rows = tokenRows(results);
  const ids = [...new Set(results.map((r) => r.method))];
  return (
    <figure className="chart" data-testid="chart-tokens">
      <figcaption>Visual tokens entering each decoder layer</figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="layer" tick={AXIS} />
          <YAxis tick={AXIS} width={40} allowDecimals={false} />
          <Tooltip labelFormatter={(l) => `Decoder layer ${String(l)}`} formatter={(v, name) => [`${String(v)} visual tokens`, labels(String(name))]} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
          <Legend formatter={(v) => labels(String(v))} wrapperStyle={{ fontSize: 11 }} />
          {ids.map((id, i) => (
            <Line key={id} type="stepAfter" dataKey={id} stroke={seriesColor(i)} dot={false} strokeWidth={2} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
