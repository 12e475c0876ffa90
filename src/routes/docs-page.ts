/**
 * Where the Worker's static assets serve Scalar's standalone bundle; tools/docs-assets.ts copies
 * it there from node_modules before `wrangler dev`, `wrangler deploy` and the tests.
 */
export const DOCS_SCRIPT_PATH = '/docs/scalar.js';

/** Scalar's settings: everything that would reach another origin is off. */
const SCALAR_CONFIGURATION = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  persistAuth: false,
  showDeveloperTools: 'never',
  agent: { disabled: true },
  mcp: { disabled: true },
};

/**
 * The interactive API docs: Scalar's API reference for /openapi.json. Every file comes from
 * this origin (works offline, under a nonce CSP); a token typed into it stays in page memory
 * and is sent only to this origin.
 */
export function renderDocsPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API docs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head><body>
<div id="app"></div>
<script nonce="${nonce}" src="${DOCS_SCRIPT_PATH}"></script>
<script nonce="${nonce}">Scalar.createApiReference('#app', ${JSON.stringify(SCALAR_CONFIGURATION)});</script>
</body></html>`;
}
