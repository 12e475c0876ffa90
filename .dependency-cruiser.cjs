/** Import rules for `npm run deps` (dependency-cruiser); type-only imports count too. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle, even a type-only one, means two concepts are tangled.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'errors-are-a-leaf',
      severity: 'error',
      comment: 'Every layer may throw the app errors, so they import nothing of the app.',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'transaction-has-one-door',
      severity: 'error',
      comment: 'Outside src/db/transaction, import the request transaction from its index only.',
      from: { path: '^src/', pathNot: '^src/db/transaction/' },
      to: { path: '^src/db/transaction/(?!index\\.ts$)' },
    },
    {
      name: 'db-says-what-happened',
      severity: 'error',
      comment:
        'The database layer and config say what happened; only the HTTP layer picks a status.',
      from: { path: ['^src/(db|jobs)/', '^src/(config|database-url)\\.ts$'] },
      to: { path: ['hono/.*http-exception', '^src/problem\\.ts$'] },
    },
    {
      name: 'src-ships-alone',
      severity: 'error',
      comment: 'src/ is what the Worker bundles: no tooling, no tests.',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^(packages|tools|test)/', '\\.test\\.ts$'] },
    },
    {
      name: 'packages-stand-alone',
      severity: 'error',
      comment: 'A workspace package is usable without the template around it.',
      from: { path: '^packages/' },
      to: { path: '^(src|tools|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
