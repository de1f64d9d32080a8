/**
 * CSV import in a real browser: upload a HubSpot export, start it, see the summary, come back to
 * the import page (client-side navigation) and find it in the list of recent imports, its date in
 * the browser's time zone (server render = hydrated render), with links to the summary and report.
 */
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTimeIn } from '../app/lib/time-zone';
import { launchChromium, OUT, startLeadflow, type RunningApp } from './harness';

const FIXTURE = path.resolve(import.meta.dirname, '../app/lib/import/fixtures/hubspot.csv');

describe('CSV import in Chromium: upload, start, summary, recent imports', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startLeadflow('import');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const hydrated = async (page: Page) => {
    await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
    await page.waitForLoadState('networkidle');
  };

  it('imports a file and lists it under Recent imports', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.goto(`${app.baseUrl}/login`);
    await page.fill('input[name=email]', app.demo.email);
    await page.fill('input[name=password]', app.demo.password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/leads$/);

    await page.goto(`${app.baseUrl}/leads/import`);
    await hydrated(page);
    await page.setInputFiles('#import-file', FIXTURE);
    await page.getByRole('button', { name: 'Upload and continue' }).click();
    await page.waitForURL(/\/leads\/import\/[0-9a-f-]{36}$/);
    const importId = /([0-9a-f-]{36})$/.exec(page.url())![1];
    await hydrated(page);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: 30_000 });

    // Back to the upload page through the app's own link: the list is loaded afresh.
    await page.getByRole('link', { name: 'New import' }).click();
    await page.waitForURL(/\/leads\/import$/);
    const recent = page.locator('section.recent-imports');
    await recent.getByRole('heading', { name: 'Recent imports' }).waitFor({ timeout: 5000 });
    const row = recent.locator('tbody tr').first();
    await row.getByRole('link', { name: 'hubspot.csv' }).waitFor();
    expect(await row.getByRole('link', { name: 'hubspot.csv' }).getAttribute('href')).toBe(`/leads/import/${importId}`);
    expect(await row.locator('.pill').textContent()).toBe('Done');
    const stamp = row.locator('time');
    const iso = await stamp.getAttribute('datetime');
    expect(await stamp.textContent()).toBe(formatDateTimeIn(iso, 'Asia/Tokyo'));
    await page.screenshot({ path: `${OUT}/import-recent-desktop.png`, fullPage: true });

    // A full page load renders the same list on the server.
    await page.reload();
    await hydrated(page);
    expect(await page.locator('section.recent-imports time').first().textContent()).toBe(formatDateTimeIn(iso, 'Asia/Tokyo'));
    expect(errors).toEqual([]);
    await context.close();
  });
});
