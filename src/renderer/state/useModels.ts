/**
 * The models the engine sees (`model:list`) and warming one up (`model:warm`: load, build the
 * graphs, then one throwaway pass per method, with progress). The selected model is what runs
 * use; by default the first usable one (the bundled reference when present).
 *
 * When the lab opens (and again after an engine restart) the selected model is warmed up in the
 * background, so the user's first click costs what every later one does. The warm-up never
 * blocks anything: Run stays available (a run started meanwhile joins the load and then waits for
 * one throwaway pass at most), and a failure is a notice, never a broken UI. A bundled model whose
 * folder is broken gets a notice of its own, since it is the one a new user expects to work.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TaskProgress } from '../../shared/schemas/app';
import type { ModelSummary } from '../../shared/schemas/models';
import { toApiError } from '../../shared/errors';
import { useClient } from './client';
import type { NoticesApi } from './notices';

/** Where the warm-up of a model stands (the latest one started). */
export type WarmupState =
  | { status: 'idle' }
  | { status: 'warming'; id: string; progress: TaskProgress }
  | { status: 'ready'; id: string; loadMs: number; warmMs: number; skipped: number }
  | { status: 'failed'; id: string; message: string };

/** The model list, the selection runs use, and warming up. */
export interface ModelsApi {
  models: ModelSummary[];
  selectedId: string | null;
  select(id: string): void;
  /** Progress of the load/warm-up in flight, else null. */
  loading: TaskProgress | null;
  warmup: WarmupState;
  /** Loads `id` and runs its throwaway first passes (model:warm); failures become notices. */
  load(id: string): Promise<void>;
  refresh(): Promise<void>;
  /** Warm the selected model again once the next list arrives (the engine restarted: nothing is loaded). */
  rewarm(): void;
}

/** The notice for a bundled model the loader found broken: what failed, and what to do. */
export function brokenBundledNotice(model: ModelSummary): { tone: 'error'; message: string; hint: string } {
  return {
    tone: 'error',
    message: `The bundled model "${model.name}" cannot be loaded: ${model.problem?.message ?? 'its folder is broken'}`,
    hint: `${model.problem?.hint ? `${model.problem.hint} ` : ''}Restore ${model.dir} from the repository (git checkout -- models/reference), or load another model folder.`,
  };
}

/** Holds the model list, selection and warm-up; failures become notices. */
export function useModels(notices: Pick<NoticesApi, 'push' | 'pushError'>): ModelsApi {
  const client = useClient();
  const [models, setModels] = useState<ModelSummary[]>([]);
  const [picked, setPicked] = useState<string | null>(null);
  const [loading, setLoading] = useState<TaskProgress | null>(null);
  const [warmup, setWarmup] = useState<WarmupState>({ status: 'idle' });
  // Set when the lab opens or the engine restarts; the next model list then starts a warm-up.
  const autoWarm = useRef(true);
  const { push, pushError } = notices;

  const refresh = useCallback(async () => {
    try {
      setModels(await client.call('model:list', {}));
    } catch (err) {
      pushError(err);
    }
  }, [client, pushError]);

  const load = useCallback(
    async (id: string) => {
      const first: TaskProgress = { phase: 'load', done: 0, message: 'starting' };
      setLoading(first);
      setWarmup({ status: 'warming', id, progress: first });
      try {
        const info = await client.call('model:warm', { modelId: id }, {
          onProgress: (progress) => {
            setLoading(progress);
            setWarmup({ status: 'warming', id, progress });
          },
        });
        setWarmup({ status: 'ready', id, loadMs: info.loadMs, warmMs: info.warmMs, skipped: info.skipped.length });
        await refresh();
      } catch (err) {
        const error = toApiError(err);
        setWarmup({ status: 'failed', id, message: error.message });
        pushError(error);
      } finally {
        setLoading(null);
      }
    },
    [client, pushError, refresh],
  );

  const usable = models.filter((m) => m.state === 'ok');
  const selectedId = picked && usable.some((m) => m.id === picked) ? picked : (usable[0]?.id ?? null);

  useEffect(() => {
    if (!autoWarm.current || models.length === 0) return;
    autoWarm.current = false;
    const bundled = models.find((m) => m.bundled);
    if (bundled?.state === 'broken') push(brokenBundledNotice(bundled));
    const selected = models.find((m) => m.id === selectedId);
    if (selected && !selected.loaded) void load(selected.id);
  }, [models, selectedId, load, push]);

  const rewarm = useCallback(() => {
    autoWarm.current = true;
  }, []);

  return useMemo(() => ({ models, selectedId, select: setPicked, loading, warmup, load, refresh, rewarm }), [models, selectedId, loading, warmup, load, refresh, rewarm]);
}
