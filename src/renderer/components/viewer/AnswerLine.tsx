/**
 * A method's answer with its badges: correct / wrong against the expected answer (when one was
 * given) and, for compressed runs, whether it matches the unpruned answer and the KL divergence of
 * the first answer token's distribution from the unpruned one; 'reused' when the engine kept the
 * result from an earlier run of the same question instead of computing it again.
 */
import type { MethodResult } from '../../../shared/schemas/runs';

/** The answer (`data-testid="answer"`, `data-method`) and its badges. */
export function AnswerLine({ result }: { result: MethodResult }) {
  const f = result.fidelity;
  return (
    <p className="answer-line">
      <span className="answer" data-testid="answer" data-method={result.method} title={result.answer}>
        {result.answer.trim() === '' ? <em className="muted">(empty answer)</em> : result.answer}
      </span>
      {result.correct === undefined ? null : (
        <span className={`badge ${result.correct ? 'badge-ok' : 'badge-bad'}`} data-testid="badge-correct">
          {result.correct ? 'correct' : 'wrong'}
        </span>
      )}
      {f ? (
        <>
          <span className={`badge ${f.sameAnswer ? 'badge-ok' : 'badge-warn'}`} title={f.sameAnswer ? 'Same answer as the unpruned model' : 'The answer differs from the unpruned model’s'}>
            {f.sameAnswer ? 'same' : 'changed'}
          </span>
          <span className="badge badge-neutral" title="KL(unpruned ‖ method) of the first answer token, nats">
            KL {f.klFirstToken.toPrecision(2)}
          </span>
        </>
      ) : (
        <span className="badge badge-neutral" title="The reference every other method is compared with">
          reference
        </span>
      )}
      {result.reused ? (
        <span className="badge badge-neutral" data-testid="badge-reused" title="Computed by an earlier run on this image with this question and kept, so this click did not recompute it; its latency is that run's.">
          reused
        </span>
      ) : null}
    </p>
  );
}
