import { defineProject } from 'vitest/config';

// Run from the root (`npm test`, or `npx vitest run --project local-neon`): the root's global
// setup starts the PostgreSQL these tests reach through inject('postgresUrl').
export default defineProject({
  test: {
    name: 'local-neon',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // As the root sets it: a file-defined project does not inherit the root's options.
    isolate: true,
  },
});
