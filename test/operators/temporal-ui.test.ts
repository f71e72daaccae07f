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

/** Opens `url` and reloads it until every text shows: the UI reads visibility, which follows the run with a lag. */
async function openUntil(page: Page, url: string, texts: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(url);
    try {
      for (const text of texts) await page.getByText(text).first().waitFor({ timeout: 3_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

// One query an operator types into the UI's list filter (or keeps as a saved view).
const parkedDepositsQuery = 'FundflowKind="deposit" AND FundflowNeedsOperator=true';

describe('the Temporal UI for operators', () => {
  it('lists a parked deposit with one query, and shows it completed and broker_funded after a retry through the API', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '21.50' });
    await parkedProgress(handle);
    const { runId } = await handle.describe();
    const parkedList = `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(parkedDepositsQuery)}`;
    const run = `${uiUrl}/namespaces/default/workflows/${handle.workflowId}/${runId}`;

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await openUntil(page, parkedList, [handle.workflowId]);
    await capture(page, 'parked-deposits');

    await openUntil(page, `${run}/history`, ['Running', 'startDepositFunding']);
    await capture(page, 'parked-deposit-detail');

    // The Queries tab offers the saga's `progress` query first; its answer names the step that failed for good.
    await openUntil(page, `${run}/query`, ['Run Query']);
    await page.getByRole('button', { name: 'Run Query' }).click();
    for (const text of ['"broker-fund"', '"off_ramp_complete"']) await page.getByText(text).first().waitFor({ timeout: 15_000 });
    await capture(page, 'parked-deposit-progress');

    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    const retry = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, { as: 'operator|ui-test', operator: true });
    expect(retry.status).toBe(202);

    await openUntil(
      page,
      `${run}/search-attributes`,
      ['Completed', '"FundflowStatus": "broker_funded"', '"FundflowNeedsOperator": false'],
      60_000,
    );
    await capture(page, 'deposit-completed');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '21.50', pendingBrokerDepositsUsd: '0.00' });

    // The operator's query no longer lists it.
    await expect
      .poll(
        async () => {
          await page.goto(parkedList);
          await page
            .getByText(/^\d+ Workflows?$/)
            .first()
            .waitFor({ timeout: 15_000 });
          return page.getByText(handle.workflowId).count();
        },
        { timeout: 30_000 },
      )
      .toBe(0);
    await page.close();
  }, 180_000);

  it("an operator signs in once and reads a movement's timeline page: escaped, no script, no CSP violation, linked to its run", async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '48.25' });
    await parkedProgress(handle);
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    const retry = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, {
      as: 'operator|ui-test',
      operator: true,
      body: { note: 'journal limit raised <b>by the broker</b>' },
    });
    expect(retry.status).toBe(202);
    expect(await handle.result()).toBe('broker_funded');

    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    // Not signed in: the page asks for the operator token, then comes back.
    const timeline = `${api.url}/admin/deposits/${deposit.id}/timeline`;
    await page.goto(timeline);
    await page.getByLabel(/Operator token/).fill(await api.token('operator|ui-test', { operator: true }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(timeline);
    for (const text of ['broker_funded', 'off_ramp_complete', 'ledger transaction', 'provider call', 'operator action', txHash]) {
      await page.getByText(text).first().waitFor({ timeout: 10_000 });
    }
    // The operator's note is shown as text, not markup.
    await page.getByText('journal limit raised <b>by the broker</b>', { exact: false }).first().waitFor({ timeout: 10_000 });
    expect(await page.locator('b').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
    // The style block applies (allowed by its hash): the table has its border.
    expect(
      await page
        .locator('td')
        .first()
        .evaluate((td) => getComputedStyle(td).borderBottomStyle),
    ).toBe('solid');
    await capture(page, 'movement-timeline');
    expect(problems).toEqual([]);

    // The link opens the run in the Temporal Web UI.
    const link = page.getByRole('link', { name: 'open in the Temporal Web UI' });
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`^${uiUrl}/namespaces/default/workflows/${handle.workflowId}/[0-9a-f-]+/history$`),
    );
    await page.goto((await link.getAttribute('href'))!);
    await page.getByText('Completed').first().waitFor({ timeout: 30_000 });
    await page.close();
  }, 180_000);
});
