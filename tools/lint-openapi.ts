/**
 * `npm run lint:openapi`: builds /openapi.json from the app in Node (no server, no database)
 * and lints it with Redocly's recommended rules (redocly.yaml). Warnings fail the run. Offline:
 * telemetry and the update check are off.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMain, runNodeScript } from './cli';

// src/routes/api.ts is typed against the Workers runtime, which the tools' Node tsconfig does not
// load, so it is imported by a path TypeScript does not follow.
type ApiModule = { api: { request(url: string): Response | Promise<Response> } };
const API_MODULE = '../src/routes/api.ts';

/** Where the linted copy goes (gitignored); .redocly.lint-ignore.yaml names it by this path. */
const DOCUMENT_FILE = '.local/openapi.json';

/** The origin `npm run dev` serves on; Redocly warns about `localhost` in `servers`. */
const DEV_ORIGIN = 'http://127.0.0.1:8787';

/** The document exactly as the Worker answers GET /openapi.json. */
async function renderOpenApiDocument(): Promise<string> {
  const { api } = (await import(API_MODULE)) as ApiModule;
  const reply = await api.request(`${DEV_ORIGIN}/openapi.json`);
  if (reply.status !== 200) throw new Error(`GET /openapi.json answered ${reply.status}`);
  return JSON.stringify(await reply.json(), null, 2);
}

async function main(): Promise<void> {
  await mkdir(dirname(DOCUMENT_FILE), { recursive: true });
  await writeFile(DOCUMENT_FILE, await renderOpenApiDocument());
  process.exitCode = await runNodeScript(
    'node_modules/@redocly/cli/bin/cli.js',
    ['lint', '--max-problems', '100', DOCUMENT_FILE],
    { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  );
}

if (isMain(import.meta.url)) await main();
