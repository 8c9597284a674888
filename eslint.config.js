// Architecture as lint: imports point one way, shared <- engine <- host <- main|server|cli,
// and the renderer sees only shared (see ARCHITECTURE.md). A file that imports from a layer
// it must not see fails `npm run lint`.
import tseslint from 'typescript-eslint';

const layer = (name) => [`**/${name}/**`, `**/${name}`];
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'worker_threads', 'url', 'stream'];

/** Which folders (and packages) each layer of src/ may not import. */
export const layerRules = {
  shared: { layers: ['engine', 'host', 'main', 'preload', 'server', 'cli', 'renderer'], packages: ['electron', 'react', 'react-dom', ...nodeBuiltins] },
  engine: { layers: ['host', 'main', 'preload', 'server', 'cli', 'renderer'], packages: ['electron', 'react', 'react-dom'] },
  host: { layers: ['main', 'preload', 'server', 'cli', 'renderer'], packages: ['electron', 'react', 'react-dom'] },
  main: { layers: ['server', 'cli', 'renderer', 'preload'], packages: ['react', 'react-dom'] },
  server: { layers: ['main', 'preload', 'cli', 'renderer'], packages: ['electron', 'react', 'react-dom'] },
  cli: { layers: ['main', 'preload', 'renderer'], packages: ['electron', 'react', 'react-dom'] },
  preload: { layers: ['engine', 'host', 'main', 'server', 'cli', 'renderer'], packages: ['react', 'react-dom', ...nodeBuiltins] },
  renderer: { layers: ['engine', 'host', 'main', 'preload', 'server', 'cli'], packages: ['electron', ...nodeBuiltins] },
};

const layerConfigs = Object.entries(layerRules).map(([name, rule]) => ({
  files: [`src/${name}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: rule.packages.filter((p) => !p.includes('*')).map((p) => ({ name: p, message: `src/${name} must not import ${p} (ARCHITECTURE.md layers).` })),
        patterns: [
          ...rule.layers.map((l) => ({ group: layer(l).map((g) => g.replace('**/', '**/')), message: `src/${name} must not import from src/${l} (ARCHITECTURE.md layers).` })),
          ...rule.packages.filter((p) => p.includes('*')).map((p) => ({ group: [p], message: `src/${name} must not import ${p} (ARCHITECTURE.md layers).` })),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**', '.cache/**', 'models/**', '**/*.js', '!eslint.config.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerConfigs,
);
