/**
 * The whole window: four regions — media | viewer | methods | metrics — in a fixed CSS grid, a
 * status line, and notices overlaid in a corner. State lives in small hooks (state/); this
 * component only wires them to the regions.
 */
import { useCallback } from 'react';
import { useClient } from './state/client';
import { useNotices } from './state/notices';
import { useMedia } from './state/useMedia';
import { useEngineStatus } from './state/useEngineStatus';
import { useAfterPaint } from './state/useAfterPaint';
import { useLab } from './state/useLab';
import { useMethods } from './state/useMethods';
import { useModels } from './state/useModels';
import { useRunShortcut } from './state/useRunShortcut';
import { useSamples } from './state/useSamples';
import { useTheme } from './state/useTheme';
import { DropZone } from './components/DropZone';
import { EmptyState } from './components/EmptyState';
import { MediaList } from './components/MediaList';
import { MethodsPanel } from './components/methods/MethodsPanel';
import { MetricsPanel } from './components/metrics/MetricsPanel';
import { Notices } from './components/Notices';
import { Region } from './components/Region';
import { SamplePicker } from './components/samples/SamplePicker';
import { StatusLine } from './components/StatusLine';
import { ThemeToggle } from './components/ThemeToggle';
import { Viewer } from './components/Viewer';
import { methodLabel } from './components/viewer/RunViewer';

/** The whole window. Needs a ClientProvider above it. */
export function App() {
  const client = useClient();
  const notices = useNotices();
  const media = useMedia(notices);
  const methods = useMethods(notices);
  const models = useModels(notices);
  const samples = useSamples(notices);
  const { refresh: refreshMedia } = media;
  const { refresh: refreshMethods } = methods;
  const { refresh: refreshModels, rewarm } = models;
  // Whenever the engine (re)appears: its media store, methods and models may all have changed,
  // and a restarted engine holds no model, so the selected one is warmed up again.
  const onReady = useCallback(() => {
    void refreshMedia();
    void refreshMethods();
    rewarm();
    void refreshModels();
  }, [refreshMedia, refreshMethods, refreshModels, rewarm]);
  const engine = useEngineStatus(notices, onReady);
  const lab = useLab(notices, media, models, methods);
  useRunShortcut(lab.onRun);
  const { theme, cycle } = useTheme();
  // Stable between renders, so the memoised metrics panel skips the run's progress re-renders.
  const labels = useCallback((id: string) => methodLabel(id, methods.methods), [methods.methods]);
  const response = lab.run.response;
  // The charts render once the overlays are on screen: a run's first feedback is what each method kept.
  const metricsResponse = useAfterPaint(response);

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
          <SamplePicker samples={samples} onOpen={(s) => void lab.openSample(s)} busy={lab.run.status === 'running'} />
        </Region>
        <Region area="viewer" title="Viewer">
          {media.selected ? <Viewer item={media.selected} response={response} methods={methods.methods} /> : <EmptyState />}
        </Region>
        <Region area="methods" title="Methods">
          <MethodsPanel
            models={models}
            methods={methods.methods}
            choices={lab.choices}
            dispatch={lab.dispatch}
            question={lab.question}
            expected={lab.expected}
            onQuestion={lab.setQuestion}
            onExpected={lab.setExpected}
            run={lab.run}
            blocked={lab.blocked}
            onRun={lab.onRun}
          />
        </Region>
        <Region area="metrics" title="Metrics">
          <MetricsPanel response={metricsResponse && media.selected && metricsResponse.media.id === media.selected.id ? metricsResponse : null} labels={labels} />
        </Region>
      </main>
      <StatusLine view={engine} transport={client.transport} />
      <Notices notices={notices.notices} onDismiss={notices.dismiss} />
    </div>
  );
}
