/** One region of the app frame: a labelled landmark with a heading and a scrolling body. */
import type { ReactNode } from 'react';

/** `area` names the CSS grid area (media | viewer | methods | metrics). */
export function Region({ area, title, actions, children }: { area: string; title: string; actions?: ReactNode; children: ReactNode }) {
  const headingId = `region-${area}`;
  return (
    <section className={`region region-${area}`} aria-labelledby={headingId} data-region={area}>
      <header className="region-header">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </header>
      <div className="region-body">{children}</div>
    </section>
  );
}
