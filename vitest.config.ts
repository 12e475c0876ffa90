import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    // The Worker logs one JSON line per request: show them only for tests that fail.
    silent: 'passed-only',
    // The default, set explicitly so vitest 5 stops suggesting `isolate: false` after every
    // run: a fresh worker per file keeps one file's module state (endpoint hooks, injected
    // faults) out of the next.
    isolate: true,
    projects: [
      // The workspace packages' own tests (local-neon, chaos), under this same global setup.
      'packages/*/vitest.config.ts',
      {
        // Pure code, tested beside it: no database, no workerd.
        test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'tools',
          include: ['test/tools/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                DATABASE_URL: inject('databaseUrl'),
                LOCAL_CONTROL_URL: inject('controlUrl'),
                API_TOKEN: 'test-token',
              },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
        },
      },
    ],
  },
});
