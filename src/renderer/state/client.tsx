/**
 * Makes the one TokenlabClient available to components, so none of them imports a transport
 * and tests can render any component against a fake client.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { TokenlabClient } from '../client';

const ClientContext = createContext<TokenlabClient | null>(null);

/** Provides `client` to everything below it. */
export function ClientProvider({ client, children }: { client: TokenlabClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The client from the nearest ClientProvider; throws when there is none (a wiring bug). */
export function useClient(): TokenlabClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() needs a <ClientProvider> above it.');
  return client;
}
