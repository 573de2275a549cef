import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import type { Model } from '../model/model.js';
import { buildOpenApi, type OpenApiOptions } from './openapi.js';

// Swagger UI from the npm package swagger-ui-dist: every asset is served from here, none from a CDN.
const uiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The assets of the page, by the name it is served under in /docs/: the only files exposed. */
const ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/**
 * Scripts and styles only from this server: no inline script, no eval, no other origin. Swagger UI
 * sets element styles from script (allowed: CSSOM, not inline markup) and draws icons as data: images.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Links are relative to /docs so that the router also works mounted under a prefix.
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>legacy-bridge REST API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="stylesheet" href="docs/page.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
const INIT = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
  docExpansion: 'list',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const CSS = 'html { box-sizing: border-box; overflow-y: scroll; } *, *::before, *::after { box-sizing: inherit; } body { margin: 0; background: #fafafa; }\n';

/**
 * Serves the OpenAPI document at `/openapi.json` and a browsable page (Swagger UI) at `/docs` with
 * its assets under `/docs/`; no authentication (plan/contract.md §1). The document is built once.
 */
export function docsRouter(model: Model, options: OpenApiOptions = {}): express.Router {
  const router = express.Router();
  const document = JSON.stringify(buildOpenApi(model, options));
  const page = (type: string, body: string) => (_req: express.Request, res: express.Response) => {
    res.set({ 'Content-Type': type, 'Content-Security-Policy': DOCS_CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' }).send(body);
  };

  router.get('/openapi.json', (_req, res) => {
    res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' }).send(document);
  });
  router.get('/docs', (req, res) => {
    // `/docs/` would resolve the relative links one level too deep.
    if (req.originalUrl.split('?')[0].endsWith('/')) return res.redirect(301, '../docs');
    page('text/html; charset=utf-8', PAGE)(req, res);
  });
  router.get('/docs/init.js', page('application/javascript; charset=utf-8', INIT));
  router.get('/docs/page.css', page('text/css; charset=utf-8', CSS));
  router.get('/docs/:asset', (req, res, next) => {
    const type = ASSETS[req.params.asset];
    if (!type) return next();
    res.sendFile(join(uiDir, req.params.asset), { headers: { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' }, maxAge: '1h' });
  });
  return router;
}
