import { Router } from 'express';
import { documentRoute, openApiDocument } from '../openapi.js';

// The OpenAPI document and a self-contained reference page (no CDN: it renders the document itself, so it
// works on machines without internet).

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fundflow API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2330}
h2{margin-top:2rem;border-bottom:1px solid #ddd;text-transform:capitalize}
details{border:1px solid #e3e6ee;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
summary{cursor:pointer}code.m{display:inline-block;width:4.5rem;font-weight:700}
.get{color:#0a7}.post{color:#06c}.put{color:#a60}.delete{color:#c22}.head{color:#777}
pre{background:#f6f7fa;padding:.6rem;overflow:auto;font-size:13px}
</style></head><body><h1>fundflow API</h1><p id="about"></p><div id="ops">Loading /openapi.json…</div>
<script>
fetch('openapi.json').then(r => r.json()).then(doc => {
  const esc = s => String(s ?? '').replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  const json = v => '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>';
  document.getElementById('about').textContent = doc.info.description;
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) (byTag[op.tags?.[0] ?? 'other'] ??= []).push({ path, method, op });
  let html = '';
  for (const [tag, ops] of Object.entries(byTag)) {
    html += '<h2>' + esc(tag) + '</h2>';
    for (const { path, method, op } of ops) {
      html += '<details><summary><code class="m ' + method + '">' + method.toUpperCase() + '</code><code>' + esc(path) +
        '</code> — ' + esc(op.summary) + '</summary>' + (op.description ? '<p>' + esc(op.description) + '</p>' : '');
      if (op.parameters?.length) html += '<h4>Parameters</h4>' + json(op.parameters);
      if (op.requestBody) html += '<h4>Body</h4>' + json(op.requestBody.content['application/json'].schema);
      html += '<h4>Responses</h4>' + json(op.responses) + '</details>';
    }
  }
  html += '<h2>Schemas</h2>' + json(doc.components?.schemas ?? {});
  document.getElementById('ops').innerHTML = html;
});
</script></body></html>`;

export function docsRouter(): Router {
  const router = Router();
  documentRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'reference',
    summary: 'This OpenAPI 3.1 document',
    description: 'Generated from the zod schemas that validate requests and shape responses; the typed client in client/ is generated from it. No token.',
    responses: { 200: { description: 'The document' } },
  });
  documentRoute({
    method: 'get',
    path: '/docs',
    operationId: 'getApiReference',
    tag: 'reference',
    summary: 'A browsable reference page of this API',
    description: 'Renders this OpenAPI document in the browser. No token.',
    responses: { 200: { description: 'HTML' } },
  });
  router.get('/openapi.json', (_req, res) => void res.json(openApiDocument()));
  router.get('/docs', (_req, res) => void res.type('html').send(page));
  return router;
}
