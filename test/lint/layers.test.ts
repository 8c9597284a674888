import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Lints `code` as if it were the file `relPath` under the project config; returns the restricted-import messages. */
async function layerErrors(relPath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, relPath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('architecture lint (ARCHITECTURE.md layers)', () => {
  it('fails `eslint` on a real renderer file that imports from src/engine', async () => {
    const file = join(root, 'src', 'renderer', `__layer_probe_${process.pid}.ts`);
    writeFileSync(file, "import { serveContract } from '../engine/api/dispatch';\nexport const probe = serveContract;\n");
    try {
      const eslint = new ESLint({ cwd: root });
      const [result] = await eslint.lintFiles([file]);
      expect(result?.errorCount).toBeGreaterThan(0);
      expect(result?.messages.map((m) => m.message).join('\n')).toMatch(/src\/renderer must not import from src\/engine/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('lets the renderer import shared', async () => {
    expect(await layerErrors('src/renderer/probe.ts', "import { calls } from '../shared/api';\nexport const c = calls;\n")).toEqual([]);
  });

  it('enforces the other directions too', async () => {
    expect(await layerErrors('src/renderer/probe.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n")).not.toEqual([]);
    expect(await layerErrors('src/engine/probe.ts', "import { EngineHost } from '../host/engineHost';\nexport const x = EngineHost;\n")).not.toEqual([]);
    expect(await layerErrors('src/shared/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).not.toEqual([]);
    expect(await layerErrors('src/host/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).not.toEqual([]);
    expect(await layerErrors('src/server/probe.ts', "import { EngineHost } from '../host/engineHost';\nexport const x = EngineHost;\n")).toEqual([]);
  });
});
