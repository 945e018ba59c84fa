/**
 * The demo web app in a real browser (Debian's Chromium, driven by playwright-core; no browser is
 * downloaded), against the local core booted from apps/core's synthesized app: a guest reserves
 * through the form, the page shows "Being processed" at once and then, pushed by Server-Sent Events
 * as the core notifies, the saga's decision; a broken rule is shown at once with its code.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootLocalCore, type LocalCore } from '@core/local';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startDemoServer, type DemoServer } from '../src';

const assemblyDir = join(__dirname, '..', '..', 'core', 'cdk.out');
const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('the demo web app in Chromium', () => {
  let core: LocalCore;
  let demo: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    core = await bootLocalCore({ assemblyDir, stacks: ['CoreDev'], port: 0, log: () => undefined });
    demo = await startDemoServer({
      core: {
        graphqlUrl: core.graphqlUrl,
        region: core.region,
        auth: { type: 'AWS_IAM', credentials: core.frontEndCredentials },
      },
      port: 0,
    });
    // A container runs as root, where Chromium needs --no-sandbox.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await core?.stop();
  });

  it('shows a reservation being processed at once, then confirmed as the core notifies', async () => {
    const page = await browser.newPage();
    await page.goto(demo.url);
    await page.selectOption('#userId', { index: 0 }); // Ada Lovelace, with credit enough
    await page.fill('#dateStart', day(12));
    await page.fill('#dateEnd', day(14));
    await page.click('button[type=submit]');
    await page.waitForURL(/\/reservations\/[A-Za-z0-9_-]+$/);
    await page.waitForSelector('#status[data-phase="confirmed"]', { timeout: 20_000 });
    const phases = await page.$$eval('#timeline li', (items) => items.map((item) => item.getAttribute('data-phase')));
    expect(phases[0]).toBe('processing');
    expect(phases.at(-1)).toBe('confirmed');
    expect(await page.textContent('#status')).toBe('Confirmed');
    await page.close();
  }, 40_000);

  it('shows a broken rule at once, with its code, and stays on the form', async () => {
    const page = await browser.newPage();
    await page.goto(demo.url);
    await page.fill('#dateStart', day(14));
    await page.fill('#dateEnd', day(12));
    await page.click('button[type=submit]');
    await page.waitForSelector('#refusal');
    expect(await page.getAttribute('#refusal', 'data-code')).toBe('DATE_END_NOT_AFTER_START');
    expect(new URL(page.url()).pathname).toBe('/reservations');
    await page.close();
  }, 40_000);
});
