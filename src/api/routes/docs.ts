import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { documentRoute, openApiDocument } from '../openapi.js';

// The OpenAPI document and its reference page: Swagger UI from the installed swagger-ui-dist package, served by
// this API (no CDN: it works on machines without internet), its start-up script a file of ours rather than inline.

const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** The files of swagger-ui-dist the page loads; nothing else of the package is served. */
const assets = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png']);

/**
 * What the page may load: scripts and styles from this origin only (no inline script), the document from here,
 * the data: images of Swagger UI's stylesheet; the style attributes React sets. Never framed, no forms elsewhere.
 */
export const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Relative URLs: the page is /docs, so `docs/...` is under it and `openapi.json` is the API's document, behind any
// path prefix a proxy adds.
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fundflow API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/start.js"></script>
</body></html>`;

const start = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  // No call to the public validator service: the document is linted in CI (npm run openapi:lint).
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

function docsPolicy(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', docsContentSecurityPolicy);
  next();
}

export function docsRouter(): Router {
  const router = Router();
  documentRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'reference',
    summary: 'This OpenAPI 3.1 document',
    description:
      'Generated from the zod schemas that validate requests and shape responses; the typed client in client/ is generated from it. No token.',
    responses: { 200: { description: 'The document' } },
  });
  documentRoute({
    method: 'get',
    path: '/docs',
    operationId: 'getApiReference',
    tag: 'reference',
    summary: 'A browsable reference page of this API',
    description: 'Swagger UI over this OpenAPI document, served by the API itself (its page, script and style). No token.',
    responses: { 200: { description: 'HTML' } },
  });
  router.get('/openapi.json', (_req, res) => void res.json(openApiDocument()));
  router.get('/docs', docsPolicy, (req, res) => {
    // `/docs/` would resolve the page's relative URLs one folder too deep.
    if (req.originalUrl.split('?')[0]!.endsWith('/')) return void res.redirect(301, '../docs');
    res.type('html').send(page);
  });
  router.get('/docs/start.js', docsPolicy, (_req, res) => void res.type('text/javascript').send(start));
  router.use(
    '/docs/assets',
    docsPolicy,
    (req, res, next) => (assets.has(req.path) ? next() : next('router')),
    express.static(swaggerUiDir, { index: false, fallthrough: false, maxAge: '1d' }),
  );
  return router;
}
