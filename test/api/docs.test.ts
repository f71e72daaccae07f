import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './harness.js';

// GET /docs: Swagger UI from the installed swagger-ui-dist package, served by the API under its own narrow
// content security policy, and what a person sees in a browser.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

/** The CSP directives of a response, by name. */
function policy(header: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('GET /docs', () => {
  it('is a Swagger UI page whose script, style and icon are served here, with no CDN and no inline script', async () => {
    const reply = await api.request('GET', '/docs');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
    const page = reply.body as string;
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<script>/);
    const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toEqual(expect.arrayContaining(['docs/assets/swagger-ui-bundle.js', 'docs/assets/swagger-ui.css', 'docs/start.js']));
    const types: Record<string, RegExp> = { js: /javascript/, css: /text\/css/, png: /image\/png/ };
    for (const url of urls) {
      const asset = await fetch(`${api.url}/${url}`);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toMatch(types[url.split('.').pop()!]!);
    }
    expect((await (await fetch(`${api.url}/docs/assets/swagger-ui-bundle.js`)).text()).length).toBeGreaterThan(500_000);
  });

  it('lets the page load its own script, style and the document, and nothing from elsewhere', async () => {
    const csp = policy((await api.request('GET', '/docs')).headers.get('content-security-policy'));
    expect(csp).toMatchObject({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    expect(csp['style-src']).toContain("'self'");
    // The rest of the API keeps the policy that allows nothing.
    expect(policy((await api.request('GET', '/openapi.json')).headers.get('content-security-policy'))['default-src']).toEqual(["'none'"]);
  });

  it('serves only the files of swagger-ui-dist the page needs', async () => {
    for (const path of ['/docs/assets/package.json', '/docs/assets/index.html', '/docs/assets/../package.json']) {
      expect((await fetch(api.url + path)).status, path).toBe(404);
    }
  });

  it('redirects /docs/ to /docs, where its relative URLs resolve', async () => {
    const reply = await fetch(`${api.url}/docs/`, { redirect: 'manual' });
    expect(reply.status).toBe(301);
    expect(new URL(reply.headers.get('location')!, `${api.url}/docs/`).pathname).toBe('/docs');
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))(
    'renders every operation in a browser with no policy violation',
    async () => {
      const browser: Browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
      });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
        page.on('pageerror', (e) => void problems.push(e.message));
        await page.goto(`${api.url}/docs`);
        await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
        const { body: doc } = await api.request('GET', '/openapi.json');
        const operations = Object.values(doc.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);
        expect(await page.locator('.opblock').count()).toBe(operations);
        await page.getByText('/v1/withdrawals/{id}').first().waitFor();
        // An operation opens with its parameters and responses.
        await page
          .locator('#operations-me-getMe .opblock-summary')
          .click()
          .catch(async () => page.locator('.opblock-summary').first().click());
        await page.locator('.responses-wrapper').first().waitFor();
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
