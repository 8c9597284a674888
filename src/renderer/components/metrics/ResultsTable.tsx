/**
 * The run's numbers per method in one table: answer with correctness and fidelity badges, visual
 * tokens kept (and equivalent tokens when the method reported them), total FLOPs against the
 * unpruned model, and total latency. Cells carry their exact values as titles.
 */
import type { MethodResult } from '../../../shared/schemas/runs';
import { formatFlops } from '../../../shared/flops';
import type { MethodRun } from '../../lib/runResults';

function tokensText(result: MethodResult, run: MethodRun): string {
  const visual = result.tokenCounts.decoderVisual;
  const last = visual[visual.length - 1];
  const eq = run.report ? ` · eq. ${result.equivalentTokens.toFixed(1)}` : '';
  return `${visual[0] ?? 0} → ${last ?? 0}${eq}`;
}

/** Requested vs achieved retention, in the method's own meaning, with the method's note. */
function retentionText(report: MethodRun['report']): string | undefined {
  if (!report) return undefined;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const planned = report.plannedRetention === undefined ? '' : `, planned ${pct(report.plannedRetention)}`;
  return `retention achieved ${pct(report.achievedRetention)} (${report.retentionMeaning})${planned}${report.note ? ` — ${report.note}` : ''}`;
}

/** One row per method run, the unpruned first. */
export function ResultsTable({ runs, labels }: { runs: readonly MethodRun[]; labels: (id: string) => string }) {
  return (
    <table className="results-table" data-testid="results-table">
      <thead>
        <tr>
          <th scope="col">Method</th>
          <th scope="col">Answer</th>
          <th scope="col">Same / KL</th>
          <th scope="col">Visual tokens (first → last layer)</th>
          <th scope="col">FLOPs</th>
          <th scope="col">Latency</th>
        </tr>
      </thead>
      <tbody>
        {runs.map(({ result, ...run }, i) => (
          <tr key={i} data-method={result.method}>
            <th scope="row">{labels(result.method)}</th>
            <td title={result.answer}>
              {result.answer}{' '}
              {result.correct === undefined ? null : <span className={`badge ${result.correct ? 'badge-ok' : 'badge-bad'}`}>{result.correct ? 'correct' : 'wrong'}</span>}
            </td>
            <td title={result.fidelity ? `log-prob change ${result.fidelity.logProbChange.toFixed(4)}; top-1 ${result.fidelity.top1Agree ? 'agrees' : 'differs'}` : 'reference'}>
              {result.fidelity ? `${result.fidelity.sameAnswer ? 'same' : 'changed'} / ${result.fidelity.klFirstToken.toPrecision(2)}` : '—'}
            </td>
            <td title={retentionText(run.report)}>{tokensText(result, { result, ...run })}</td>
            <td title={`${result.flops.total.toExponential(4)} ${result.flops.unit}`}>
              {formatFlops(result.flops.total)} ({(result.flopsRatio * 100).toFixed(0)}%)
            </td>
            <td title={result.latency.total ? `p10–p90 ${result.latency.total.p10.toFixed(1)}–${result.latency.total.p90.toFixed(1)} ms` : undefined}>
              {result.latency.total ? `${result.latency.total.median.toFixed(1)} ms` : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
