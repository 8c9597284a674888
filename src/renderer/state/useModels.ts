/**
 * The models the engine sees (`model:list`) and loading one (`model:load`, with progress). The
 * selected model is what runs use; by default the first usable one (the bundled reference when
 * present). Loading is optional — a run loads its model on demand — but doing it up front keeps
 * the first run's latency honest and shows the graph build's progress.
 */
import { useCallback, useMemo, useState } from 'react';
import type { TaskProgress } from '../../shared/schemas/app';
import type { ModelSummary } from '../../shared/schemas/models';
import { useClient } from './client';
import type { NoticesApi } from './notices';

/** The model list, the selection runs use, and loading. */
export interface ModelsApi {
  models: ModelSummary[];
  selectedId: string | null;
  select(id: string): void;
  /** Progress of the load in flight, else null. */
  loading: TaskProgress | null;
  load(id: string): Promise<void>;
  refresh(): Promise<void>;
}

/** Holds the model list and selection; failures become notices. */
export function useModels(notices: Pick<NoticesApi, 'pushError'>): ModelsApi {
  const client = useClient();
  const [models, setModels] = useState<ModelSummary[]>([]);
  const [picked, setPicked] = useState<string | null>(null);
  const [loading, setLoading] = useState<TaskProgress | null>(null);
  const { pushError } = notices;

  const refresh = useCallback(async () => {
    try {
      setModels(await client.call('model:list', {}));
    } catch (err) {
      pushError(err);
    }
  }, [client, pushError]);

  const load = useCallback(
    async (id: string) => {
      setLoading({ phase: 'load', done: 0, message: `Loading ${id}…` });
      try {
        await client.call('model:load', { modelId: id }, { onProgress: setLoading });
        await refresh();
      } catch (err) {
        pushError(err);
      } finally {
        setLoading(null);
      }
    },
    [client, pushError, refresh],
  );

  const usable = models.filter((m) => m.state === 'ok');
  const selectedId = picked && usable.some((m) => m.id === picked) ? picked : (usable[0]?.id ?? null);
  return useMemo(() => ({ models, selectedId, select: setPicked, loading, load, refresh }), [models, selectedId, loading, load, refresh]);
}
