/**
 * The interactive API docs: one self-contained page built from /openapi.json in the browser.
 * It loads nothing from a CDN (works offline and under a strict CSP); the token typed into it
 * stays in page memory and is sent only to this origin.
 */
export function renderDocsPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API docs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">
body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
details{border:1px solid #ccc;border-radius:6px;margin:.5rem 0;padding:.4rem .8rem}
summary{cursor:pointer}code,textarea,pre{font:13px ui-monospace,monospace}
.m{display:inline-block;width:4.5rem;font-weight:700}.get{color:#06c}.post{color:#080}
.patch{color:#a60}.delete{color:#c00}label{display:block;margin:.3rem 0}
textarea{width:100%;min-height:6rem}pre{background:#f5f5f5;padding:.5rem;overflow:auto;white-space:pre-wrap}
</style></head><body>
<h1 id="title">API</h1><p id="desc"></p>
<label>Bearer token (for writes; kept in this page only) <input id="token" type="password" size="40"></label>
<div id="ops"></div>
<script nonce="${nonce}">
const el = (tag, props = {}, ...kids) => { const n = Object.assign(document.createElement(tag), props); n.append(...kids); return n; };
const deref = (doc, s) => s && s.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s;
async function send(method, path, inputs, body, out) {
  let url = path;
  const query = new URLSearchParams();
  const headers = {};
  for (const [p, input] of inputs) {
    if (!input.value) continue;
    if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(input.value));
    else if (p.in === 'query') query.set(p.name, input.value);
    else if (p.in === 'header') headers[p.name] = input.value;
  }
  const token = document.getElementById('token').value;
  if (token) headers.Authorization = 'Bearer ' + token;
  const init = { method, headers };
  if (body) { headers['Content-Type'] = 'application/json'; init.body = body.value; }
  const started = performance.now();
  try {
    const res = await fetch(url + (query.size ? '?' + query : ''), init);
    const text = await res.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
    out.textContent = res.status + ' ' + res.statusText + ' (' + Math.round(performance.now() - started) + ' ms)\\n\\n' + shown;
  } catch (e) { out.textContent = String(e); }
}
fetch('openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('desc').textContent = doc.info.description || '';
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const inputs = (op.parameters || []).map((p) => [p, el('input', { placeholder: p.schema?.default ?? '' })]);
      const schema = deref(doc, op.requestBody?.content['application/json']?.schema);
      const body = schema ? el('textarea', { value: JSON.stringify(schema.example ?? {}, null, 2) }) : null;
      const out = el('pre');
      const button = el('button', { textContent: 'Send', onclick: () => send(method.toUpperCase(), path, inputs, body, out) });
      const responses = Object.entries(op.responses).map(([s, r]) => s + ' ' + r.description).join('\\n');
      document.getElementById('ops').append(el('details', {},
        el('summary', {}, el('span', { className: 'm ' + method, textContent: method.toUpperCase() }), el('code', { textContent: path }), ' ' + (op.summary || '')),
        el('p', { textContent: op.description || '' }),
        ...inputs.map(([p, input]) => el('label', {}, el('code', { textContent: p.name }), ' (' + p.in + (p.required ? ', required' : '') + ') ', input)),
        ...(body ? [el('label', { textContent: 'JSON body' }), body] : []),
        button, el('pre', { textContent: responses }), out));
    }
  }
});
</script></body></html>`;
}
