/**
 * What the viewer and metrics need from a `run:start` response, per method: the result and its
 * token trace. The unpruned baseline's trace is built here with the shared TraceBuilder (no
 * steps: every token of the run's grid is kept), so it is drawn like any other method. A
 * method's trace is read from its result once the contract carries one; a method without a
 * trace is drawn without an overlay rather than guessed.
 */
import type { MethodResult, RunStartResponse } from '../../shared/schemas/runs';
import { PruningReport, TokenTrace } from '../../shared/trace';
import { TraceBuilder } from '../../shared/trace-builder';

/** One method of a finished run, ready to show. */
export interface MethodRun {
  method: string;
  result: MethodResult;
  trace: TokenTrace | null;
  /** The method's pruning report (planned vs achieved retention, equivalent tokens), when sent. */
  report: PruningReport | null;
}

/** The id the engine gives the unpruned baseline. */
export const BASELINE_ID = 'none';

/** The trace of the unpruned run: the response's grid with every token kept, decoder counts from its result. */
export function baselineTrace(response: Pick<RunStartResponse, 'grid'>, result: MethodResult): TokenTrace {
  const { rows, cols, frames } = response.grid;
  const builder = new TraceBuilder({ frames, rows, cols }, 'original');
  return builder.finish({ decoderLayers: result.tokenCounts.decoder.length, nonVisualTokens: result.tokenCounts.text });
}

/**
 * The pruning report a result embeds (shared/trace.ts PruningReport), whatever field carries it:
 * the renderer only relies on the report's schema, not on where the run contract puts it.
 */
export function reportOf(result: MethodResult): PruningReport | null {
  for (const value of Object.values(result as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null || !('trace' in value)) continue;
    const parsed = PruningReport.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  return null;
}

/** The trace a result carries (its own `trace` field, or its pruning report's), when it fits the trace schema. */
export function traceOf(result: MethodResult): TokenTrace | null {
  const raw = (result as MethodResult & { trace?: unknown }).trace;
  if (raw !== undefined) {
    const parsed = TokenTrace.safeParse(raw);
    if (parsed.success) return parsed.data;
  }
  return reportOf(result)?.trace ?? null;
}

/** Every method of a response with its trace (the baseline's built, the others' as sent). */
export function methodRuns(response: RunStartResponse): MethodRun[] {
  return response.results.map((result) => ({
    method: result.method,
    result,
    trace: traceOf(result) ?? (result.method === BASELINE_ID ? baselineTrace(response, result) : null),
    report: reportOf(result),
  }));
}
