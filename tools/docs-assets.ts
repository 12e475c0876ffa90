/**
 * Copies Scalar's standalone bundle from node_modules into the Worker's static assets
 * (public/, wrangler.toml [assets]), where the /docs page loads it from. wrangler runs this as
 * the [build] command before `wrangler dev` and `wrangler deploy`; the tests' global setup
 * calls it too. public/ is generated, not committed: the version is the one in the lockfile.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DOCS_SCRIPT_PATH } from '../src/routes/docs-page.ts';
import { isMain, ROOT } from './cli.ts';

/** The bundle where the page asks for it. */
const TARGET = join(ROOT, 'public', DOCS_SCRIPT_PATH);

/** The self-contained browser build of @scalar/api-reference (its package.json "browser"). */
const SOURCE = join(ROOT, 'node_modules/@scalar/api-reference/dist/browser/standalone.js');

/** Copies the bundle unless the copy is already there with the same size and mtime. */
export async function copyDocsAssets(): Promise<string> {
  const from = await stat(SOURCE);
  const to = await stat(TARGET).catch(() => null);
  if (to && to.size === from.size && to.mtimeMs >= from.mtimeMs) return TARGET;
  await mkdir(dirname(TARGET), { recursive: true });
  await copyFile(SOURCE, TARGET);
  return TARGET;
}

if (isMain(import.meta.url)) await copyDocsAssets();
