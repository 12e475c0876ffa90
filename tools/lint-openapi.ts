/**
 * `npm run lint:openapi`: builds /openapi.json from the app in Node (no server, no database)
 * and lints it with Redocly's recommended rules (redocly.yaml). Warnings fail the run. Offline:
 * telemetry and the update check are off.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The part of src/routes/api.ts used here. That module is typed against the Workers runtime,
 * which the tools' Node tsconfig does not load, so it is imported by a path TypeScript does
 * not follow.
 */
type ApiModule = { api: { request(url: string): Response | Promise<Response> } };
const API_MODULE = '../src/routes/api.ts';

/** Where the linted copy goes (gitignored); .redocly.lint-ignore.yaml names it by this path. */
const DOCUMENT_FILE = '.local/openapi.json';

/** The origin `npm run dev` serves on; Redocly warns about `localhost` in `servers`. */
const DEV_ORIGIN = 'http://127.0.0.1:8787';

/** The document exactly as the Worker answers GET /openapi.json. */
async function renderOpenApiDocument(origin = DEV_ORIGIN): Promise<string> {
  const { api } = (await import(API_MODULE)) as ApiModule;
  const reply = await api.request(`${origin}/openapi.json`);
  if (reply.status !== 200) throw new Error(`GET /openapi.json answered ${reply.status}`);
  return JSON.stringify(await reply.json(), null, 2);
}

function runRedocly(file: string): Promise<number> {
  const child = spawn(
    process.execPath,
    ['node_modules/@redocly/cli/bin/cli.js', 'lint', '--max-problems', '100', file],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  await mkdir(dirname(DOCUMENT_FILE), { recursive: true });
  await writeFile(DOCUMENT_FILE, await renderOpenApiDocument());
  process.exitCode = await runRedocly(DOCUMENT_FILE);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
