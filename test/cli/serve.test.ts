import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('tokenlab serve', () => {
  it('prints exactly the URL line, enforces the token, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'tokenlab.js'), 'serve'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          lines.push(line);
          if (lines.length === 1) resolve(line);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code} before printing`)));
      });
      const match = /^TokenLab is running at http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{20,})$/.exec(first);
      expect(match, first).not.toBeNull();
      const base = `http://127.0.0.1:${match?.[1]}`;
      expect((await fetch(`${base}/api/call/media:list`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })).status).toBe(401);
      const ok = await fetch(`${base}/api/call/media:list`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${match?.[2]}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ type: 'result', id: 0, ok: true, value: [] });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(lines).toHaveLength(1);
  });

  it('rejects a bad port with usage', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'tokenlab.js'), 'serve', '--port', '99999'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be an integer');
  });
});
