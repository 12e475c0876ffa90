/** Scalar's bundle among the Worker's static assets (copied there by tools/docs-assets.ts). */
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

/** Scalar's API reference for /openapi.json, every file from this origin (offline, nonce CSP). */
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
