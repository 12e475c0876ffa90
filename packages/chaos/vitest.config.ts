import { defineProject } from 'vitest/config';

// Run from the root (`npm test`, or `npx vitest run --project chaos`): the root's global
// setup starts the stack this test's Worker reaches through inject('databaseUrl').
export default defineProject({
  test: {
    name: 'chaos',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // As the root sets it: a file-defined project does not inherit the root's options.
    isolate: true,
  },
});
