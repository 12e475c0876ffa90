import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { removeLeftoverClusters } from '../tools/postgres.ts';
import { startLocalStack } from '../tools/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    controlUrl: string;
    postgresUrl: string;
  }
}

/** One throwaway stack per test run, on free ports, so it can run beside `npm run dev`. */
export default async function setup(project: TestProject) {
  await removeLeftoverClusters('.local', 'test-pg');
  const dataDir = `.local/test-pg-${process.pid}`;
  const stack = await startLocalStack({
    dataDir,
    postgresPort: await findFreePort(),
    endpointPort: 0,
    unsafeFast: true,
  });
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('controlUrl', stack.controlUrl);
  project.provide('postgresUrl', stack.postgres.url);

  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
