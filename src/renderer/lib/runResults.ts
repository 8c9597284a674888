/**
 * What the viewer and metrics need from a `run:start` response, per method: the result and its
 * token trace. The unpruned baseline's trace is built here with the shared TraceBuilder (no
 * steps: every token of the run's grid is kept), so it is drawn like any other method. A
 * method's trace comes from its result's pruning report; a method without a
 * trace (a result from an engine that sent none) is drawn without an overlay rather than guessed.
 */
import type { MethodResult, RunStartResponse } from '../../shared/schemas/runs';
import type { PruningReport, TokenTrace } from '../../shared/trace';
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

/** The trace a result carries in its pruning report (absent on the baseline). */
export function traceOf(result: MethodResult): TokenTrace | null {
  return result.pruning?.trace ?? null;
}

/** Every method of a response with its trace (the baseline's built, the others' as sent). */
export function methodRuns(response: RunStartResponse): MethodRun[] {
  return response.results.map((result) => ({
    method: result.method,
    result,
    trace: traceOf(result) ?? (result.method === BASELINE_ID ? baselineTrace(response, result) : null),
    report: result.pruning ?? null,
  }));
}
