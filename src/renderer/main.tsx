/** Renderer entry: one client for the page (IPC in the desktop app, WebSocket in browser mode). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './client';
import { ClientProvider } from './state/client';
import { App } from './App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">.');

// One client for the page's lifetime; the browser closes its socket when the page goes away.
const client = createClient();

createRoot(root).render(
  <StrictMode>
    <ClientProvider client={client}>
      <App />
    </ClientProvider>
  </StrictMode>,
);
