import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTemporalServer, type TemporalServer } from '../../scripts/lib/temporal-server.js';
import { freePort, repoRoot } from '../../scripts/lib/tools.js';
import { startApi, type Api } from '../api/harness.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, parkedProgress, provisionWallet } from '../workflows/support.js';

// What an operator sees: a Temporal dev server of this file's own, with its Web UI, behind the whole stack. A
// deposit parks, one visibility query in the UI lists it, the API retries it, and the UI shows it completed.

const screenshots = path.join(repoRoot, 'docs', 'screenshots');

let temporal: TemporalServer;
let stack: Stack;
let api: Api;
let browser: Browser;
let uiUrl: string;

beforeAll(async () => {
  temporal = await startTemporalServer({ port: await freePort(), uiPort: await freePort(), quiet: true });
  uiUrl = temporal.uiUrl!;
  stack = await startStack({ name: 'temporal-ui', env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_UI_URL: uiUrl } });
  api = await startApi({ stack });
  await stack.sandbox.control.setWebhookUrl(`${api.url}/v1/webhooks/circle`);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await stack?.stop();
  await temporal?.stop();
});

/** Writes docs/screenshots/<name>.png when asked to (UPDATE_SCREENSHOTS=1) or when it is missing, so CI never dirties the tree. */
async function capture(page: Page, name: string): Promise<void> {
  const file = path.join(screenshots, `${name}.png`);
  if (process.env.UPDATE_SCREENSHOTS !== '1' && existsSync(file)) return;
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: file, fullPage: false });
}

const parkedDepositsQuery = 'FundflowKind="deposit" AND FundflowNeedsOperator=true';

describe('the Temporal UI for operators', () => {
  it(
    'lists a parked deposit with one query, and shows it completed and broker_funded after a retry through the API',
    async () => {
      const user = await createUser(stack.db);
      const wallet = await provisionWallet(stack, user.id);
      await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
      const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '21.50' });
      await parkedProgress(handle);
      const { runId } = await handle.describe();

      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(parkedDepositsQuery)}`);
      await page.getByText(handle.workflowId).first().waitFor({ timeout: 30_000 });
      await capture(page, 'parked-deposits');

      await page.goto(`${uiUrl}/namespaces/default/workflows/${handle.workflowId}/${runId}/history`);
      await page.getByText('Running').first().waitFor({ timeout: 30_000 });
      await capture(page, 'parked-deposit-detail');
      await page.getByRole('link', { name: 'Queries' }).or(page.getByRole('tab', { name: 'Queries' })).first().click();
      await page.waitForTimeout(3000);
      console.log('QUERIES', page.url(), await page.locator('main').innerText());
      await capture(page, 'parked-deposit-progress');

      const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
      expect((await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, { as: 'operator|ui-test', operator: true })).status).toBe(202);
      expect(await handle.result()).toBe('broker_funded');

      await page.reload();
      await page.getByText('Completed').first().waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Search Attributes' }).or(page.getByRole('tab', { name: 'Search Attributes' })).first().click();
      await page.waitForTimeout(2000);
      console.log('SA', page.url(), await page.locator('main').innerText());
      await capture(page, 'deposit-completed');
      expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '21.50', pendingBrokerDepositsUsd: '0.00' });
      await page.close();
    },
    180_000,
  );
});
