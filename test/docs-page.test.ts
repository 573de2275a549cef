/**
 * The browsable API page (/docs) in headless Chromium, served by a real express server on
 * 127.0.0.1: the page renders the operations of the model, every request it makes stays on
 * loopback (the DevTools protocol's Network events list them all), and its CSP blocks nothing.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/model/index.js';
import { DOCS_CSP, docsRouter } from '../src/rest/docs-router.js';
import { loadPage } from './support/chromium.js';
import { repoRoot } from './support/bridge-process.js';
import { modelFile, startTestServer } from '../src/rest/test-server.js';

let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  const app = express();
  app.use((req, _res, next) => {
    requested.push(req.url);
    next();
  });
  app.use(docsRouter(loadModel(join(repoRoot, 'mappings', 'model.yaml'))));
  // A page that does reach out, to show that the proxy sees what leaves loopback.
  app.get('/leaky', (_req, res) => {
    res.set('Content-Security-Policy', DOCS_CSP).type('html').send('<p>leaky</p><img src="http://cdn.example.com/pixel.png"><script>document.title = "x"</script>');
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

// data: and blob: URLs never leave the browser; every other scheme goes over the network.
const offLoopback = (urls: string[]) => urls.filter((u) => !/^(data|blob):/.test(u) && new URL(u).hostname !== '127.0.0.1');

describe('/docs', () => {
  it('renders every operation in Chromium from local assets only, nothing leaving loopback, no CSP violation', async () => {
    const page = await loadPage(`${base}/docs`, "document.querySelectorAll('.opblock-summary-path').length >= 36");
    const text = page.text.replace(/\u200b/g, '');
    for (const t of ['Customer', 'Order', 'Price']) {
      expect(text).toContain(`/v1/${t}/{key}/history`);
      expect(text).toContain(`List ${t} entities`);
    }
    expect(text).toContain('/v1/Customer/{key}');
    expect(text).toContain('/v1/changes/stream');
    expect(text).toContain('/v1/admin/deadletters/{id}/replay');
    expect(page.requests.map((u) => u.slice(base.length))).toEqual(expect.arrayContaining(['/docs', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js', '/openapi.json']));
    expect(offLoopback(page.requests)).toEqual([]);
    expect(page.log.filter((l) => /Content Security Policy|error/i.test(l))).toEqual([]);
  });

  it('renders the same behind the REST app, with its security headers, mounted as an extra router', async () => {
    const rest = await startTestServer({ extraRouters: [{ path: '/', router: docsRouter(loadModel(modelFile)), auth: 'none' }] });
    try {
      const page = await loadPage(`${rest.url}/docs`, "document.querySelectorAll('.opblock-summary-path').length >= 36");
      expect(page.text.replace(/\u200b/g, '')).toContain('/v1/Order/{key}');
      expect(offLoopback(page.requests)).toEqual([]);
      expect(page.log.filter((l) => /Content Security Policy|error/i.test(l))).toEqual([]);
      const asset = await fetch(`${rest.url}/docs/swagger-ui-bundle.js`);
      expect([asset.status, asset.headers.get('x-frame-options'), asset.headers.get('content-security-policy')]).toEqual([200, 'DENY', null]);
    } finally {
      await rest.close();
    }
  });

  it('would see a request that leaves loopback, and a CSP violation', async () => {
    const page = await loadPage(`${base}/leaky`, "document.body.innerText.includes('leaky')");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(offLoopback(page.requests)).toEqual(['http://cdn.example.com/pixel.png']);
    expect(page.log.join('\n')).toMatch(/Content Security Policy/);
  });

  it('serves the page with a strict CSP, the document as JSON, and only the listed assets', async () => {
    const page = await fetch(`${base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("script-src 'self'");
    expect(await page.text()).not.toMatch(/https?:\/\//);
    const doc = await fetch(`${base}/openapi.json`);
    expect(doc.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const slash = await fetch(`${base}/docs/`, { redirect: 'manual' });
    expect([slash.status, slash.headers.get('location')]).toEqual([301, '../docs']);
    expect((await fetch(`${base}/docs/swagger-ui-bundle.js`)).headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    for (const path of ['/docs/swagger-ui-bundle.js.map', '/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.html']) {
      expect((await fetch(base + path)).status, path).toBe(404);
    }
  });
});
