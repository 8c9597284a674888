/**
 * The app frame later issues fill: four regions — media | viewer | methods | metrics — in a
 * fixed CSS grid, a status line, and notices overlaid in a corner. State lives in small
 * hooks (state/); this component only wires them to the regions.
 */
import { useClient } from './state/client';
import { useNotices } from './state/notices';
import { useMedia } from './state/useMedia';
import { useEngineStatus } from './state/useEngineStatus';
import { useTheme } from './state/useTheme';
import { DropZone } from './components/DropZone';
import { EmptyState } from './components/EmptyState';
import { MediaList } from './components/MediaList';
import { Notices } from './components/Notices';
import { PlannedPanel } from './components/PlannedPanel';
import { Region } from './components/Region';
import { StatusLine } from './components/StatusLine';
import { ThemeToggle } from './components/ThemeToggle';
import { Viewer } from './components/Viewer';

/** The whole window. Needs a ClientProvider above it. */
export function App() {
  const client = useClient();
  const notices = useNotices();
  const media = useMedia(notices);
  const engine = useEngineStatus(notices, media.refresh);
  const { theme, cycle } = useTheme();

  return (
    <div className="app">
      <header className="app-header">
        <h1>TokenLab</h1>
        <ThemeToggle theme={theme} onCycle={cycle} />
      </header>
      <main className="frame">
        <Region area="media" title="Media">
          <DropZone onFiles={(files) => void media.importFiles(files)} busy={media.pending.length > 0} />
          <MediaList items={media.items} pending={media.pending} selectedId={media.selectedId} onSelect={media.select} onRemove={(id) => void media.remove(id)} />
        </Region>
        <Region area="viewer" title="Viewer">
          {media.selected ? <Viewer item={media.selected} /> : <EmptyState />}
        </Region>
        <Region area="methods" title="Methods">
          <PlannedPanel text="Compression methods and their settings will appear here; none are available in this build yet." />
        </Region>
        <Region area="metrics" title="Metrics">
          <PlannedPanel text="Answers, FLOPs, token counts and latency of a run will appear here once runs are available." />
        </Region>
      </main>
      <StatusLine view={engine} transport={client.transport} />
      <Notices notices={notices.notices} onDismiss={notices.dismiss} />
    </div>
  );
}
