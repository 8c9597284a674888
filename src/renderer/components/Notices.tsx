/**
 * Errors and warnings, newest last, each with what happened and what to do, until dismissed.
 * Overlaid in a fixed corner so showing one never moves the frame.
 */
import type { Notice } from '../state/notices';

/** `onDismiss` removes one notice. */
export function Notices({ notices, onDismiss }: { notices: Notice[]; onDismiss(id: number): void }) {
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-label="Notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`} role="alert" data-testid="notice" data-tone={n.tone}>
          <div className="notice-text">
            <p className="notice-message">{n.message}</p>
            {n.hint ? <p className="notice-hint">{n.hint}</p> : null}
          </div>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => onDismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
