import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTemporalServer, type TemporalServer } from '../../scripts/lib/temporal-server.js';
import { freePort, repoRoot } from '../../scripts/lib/tools.js';
import { signDevToken } from '../../src/api/dev-token.js';
import { startCodecServer } from '../../src/codec/server.js';
import { createLogger } from '../../src/logger.js';
import { workflowIds } from '../../workflows/definitions.js';
import { createInvestor, startStack, type Stack } from '../helpers/stack.js';
import { provisionWallet } from '../workflows/support.js';

// What an operator sees of an encrypted history in the Web UI: the dev server's UI is pointed at our codec server
// (--ui-codec-endpoint, as `npm run dev` does). Signed in as an operator, the withdrawal's input reads in the clear;
// without the operator's credentials the codec server refuses and the same page shows only ciphertext.

let temporal: TemporalServer;
let stack: Stack;
let codec: Server;
let browser: Browser;
let uiUrl: string;
let codecUrl: string;

beforeAll(async () => {
  const codecPort = await freePort();
  codecUrl = `http://127.0.0.1:${codecPort}`;
  temporal = await startTemporalServer({ port: await freePort(), uiPort: await freePort(), uiCodecEndpoint: codecUrl, quiet: true });
  uiUrl = temporal.uiUrl!;
  stack = await startStack({
    name: 'codec-ui',
    env: {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_UI_URL: uiUrl,
      TEMPORAL_PAYLOAD_KEYS: `ui-1:${randomBytes(32).toString('base64')}`,
    },
  });
  codec = await startCodecServer({ config: stack.config, logger: createLogger('silent', 'codec-test'), port: codecPort });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => codec?.close(resolve));
  await stack?.stop();
  await temporal?.stop();
});

const amount = '4817.23';

/** Writes docs/screenshots/<name>.png when asked to (UPDATE_SCREENSHOTS=1) or when it is missing. */
async function capture(page: Page, name: string): Promise<void> {
  const file = path.join(repoRoot, 'docs', 'screenshots', `${name}.png`);
  if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(file)) await page.screenshot({ path: file });
}

/**
 * Opens the run's history page and waits until its input is on the page and `shown` holds for the page's text (the
 * UI decodes through the codec server after it renders, which under load takes seconds); answers that text.
 */
async function openInput(page: Page, url: string, shown: (text: string) => boolean): Promise<string> {
  // Generous: on a machine running the whole suite the dev UI took more than 5 s to render a history and more than
  // 2 s more to decode it (CI, session 6).
  const deadline = Date.now() + 90_000;
  for (;;) {
    await page.goto(url);
    try {
      await page.getByText('Input').first().waitFor({ state: 'attached', timeout: 20_000 });
      const until = Date.now() + 20_000;
      for (;;) {
        const text = await page.locator('body').innerText();
        if (shown(text) || Date.now() > until) return text;
        await page.waitForTimeout(500);
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('an encrypted history in the Web UI', () => {
  it('shows the decoded input to a signed-in operator and ciphertext to anyone else', async () => {
    const user = await createInvestor(stack, '9000.00');
    await provisionWallet(stack, user.id);
    const withdrawalId = randomUUID();
    const { handle } = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
      withdrawalId,
      userId: user.id,
      amountUsd: amount,
      targetChain: 'ethereum',
      targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    });
    expect(await handle.result()).toBe('complete');
    const { runId } = await handle.describe();
    const history = `${uiUrl}/namespaces/default/workflows/${handle.workflowId}/${runId}/history`;

    // An operator's browser: its requests to the codec server carry the operator's token (as the codec server's
    // sign-in cookie or the UI's "pass access token" would).
    const operatorToken = await signDevToken(stack.config, { subject: 'operator|codec-ui', operator: true });
    const operator = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const decodeCalls: number[] = [];
    await operator.route(`${codecUrl}/**`, (route) =>
      route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${operatorToken}` } }),
    );
    operator.on('response', (r) => r.url().startsWith(codecUrl) && r.request().method() === 'POST' && decodeCalls.push(r.status()));
    const decoded = await openInput(operator, history, (text) => text.includes(amount));
    expect(decodeCalls.length).toBeGreaterThan(0);
    expect(decodeCalls.every((status) => status === 200)).toBe(true);
    expect(decoded).toContain(amount);
    await capture(operator, 'codec-decoded');
    await operator.close();

    // Anyone else: the same page, the codec server refuses (401), the input stays ciphertext.
    const stranger = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const refused: number[] = [];
    stranger.on('response', (r) => r.url().startsWith(codecUrl) && r.request().method() === 'POST' && refused.push(r.status()));
    const ciphertext = /binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA/;
    const encrypted = await openInput(stranger, history, (text) => refused.length > 0 && ciphertext.test(text));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((status) => status === 401)).toBe(true);
    expect(encrypted).not.toContain(amount);
    expect(encrypted).toMatch(ciphertext);
    await capture(stranger, 'codec-ciphertext');
    await stranger.close();
  }, 240_000);
});
