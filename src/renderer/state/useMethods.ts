/**
 * The compression methods the engine offers (`method:list`), fetched whenever the link to the
 * engine opens. Until the list arrives the panel shows that it is loading; a failure is a notice.
 */
import { useCallback, useState } from 'react';
import type { MethodSummary } from '../../shared/schemas/methods';
import { useClient } from './client';
import type { NoticesApi } from './notices';

/** The method list (null until it arrives) and how to re-fetch it. */
export interface MethodsApi {
  methods: MethodSummary[] | null;
  refresh(): Promise<void>;
}

/** Holds the method list; call `refresh` when the engine becomes reachable. */
export function useMethods(notices: Pick<NoticesApi, 'pushError'>): MethodsApi {
  const client = useClient();
  const [methods, setMethods] = useState<MethodSummary[] | null>(null);
  const { pushError } = notices;
  const refresh = useCallback(async () => {
    try {
      setMethods(await client.call('method:list', {}));
    } catch (err) {
      pushError(err);
    }
  }, [client, pushError]);
  return { methods, refresh };
}
