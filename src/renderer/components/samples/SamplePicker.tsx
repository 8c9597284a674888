/**
 * Shapes test-split samples a new user can open at once: each shows its question and answer;
 * opening one imports its image and fills in the question and the expected answer.
 */
import type { BenchSampleSummary } from '../../../shared/schemas/bench';
import type { SamplesApi } from '../../state/useSamples';

/** `onOpen` imports and selects the sample. */
export function SamplePicker({ samples, onOpen, busy }: { samples: SamplesApi; onOpen(sample: BenchSampleSummary): void; busy: boolean }) {
  const { total, loading } = samples;
  const canMore = total === null || samples.samples.length < total;
  return (
    <section className="samples" aria-labelledby="samples-heading">
      <h3 id="samples-heading">Shapes samples</h3>
      {samples.samples.length > 0 ? (
        <ul className="sample-list">
          {samples.samples.map((s) => (
            <li key={s.id}>
              <button type="button" className="sample" data-testid="sample" data-sample-id={s.id} disabled={busy} onClick={() => onOpen(s)}>
                <span className="sample-question">{s.question}</span>
                <span className="muted sample-answer">
                  {s.type} · answer: {s.answer}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {canMore ? (
        <button type="button" data-testid="samples-more" disabled={loading !== null} onClick={() => void samples.more()}>
          {loading ?? (samples.samples.length === 0 ? 'Show samples from the Shapes test split' : 'More samples')}
        </button>
      ) : null}
      {total !== null ? <p className="muted">{`${samples.samples.length} of ${total} image samples`}</p> : null}
    </section>
  );
}
