/**
 * The lead pages in a real browser: `scripts/start.ts` on a fresh database (demo tenant seeded),
 * Debian's Chromium logs in, creates a lead through the form (a validation error first), finds it
 * by search, opens it, adds a note, changes the stage and sees both in the timeline. Screenshots
 * at desktop width and at a 390px phone width go to e2e/.out/.
 */
import fs from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTimeIn } from '../app/lib/time-zone';
import { launchChromium, OUT, startLeadflow, type RunningApp } from './harness';

describe('lead pages in Chromium: create, search, note, stage, timeline', () => {
  let app: RunningApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startLeadflow('leads');
    baseUrl = app.baseUrl;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Browser-side errors (hydration mismatches, uncaught exceptions). The validation 400 and the 404 are deliberate. */
  const browserErrors: string[] = [];
  function watch(page: Page) {
    page.on('pageerror', (err) => browserErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of (400|404)/.test(msg.text())) browserErrors.push(msg.text());
    });
  }

  async function logIn(context: BrowserContext): Promise<Page> {
    const { email, password } = app.demo;
    const page = await context.newPage();
    watch(page);
    await page.goto(`${baseUrl}/login`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/leads$/);
    return page;
  }

  /** Waits for React to hydrate, so clicks are handled by Remix rather than by a plain document submit. */
  async function hydrated(page: Page) {
    await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
    await page.waitForLoadState('networkidle');
  }

  let leadUrl = '';

  it('desktop: create (after a validation error), search, open, note, stage change, timeline', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await logIn(context);
    await hydrated(page);
    await page.getByRole('link', { name: 'Ada Lovelace' }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${OUT}/leads-list-desktop.png`, fullPage: true });

    await page.getByRole('link', { name: 'New lead' }).click();
    await page.waitForURL(/\/leads\/new$/);
    await hydrated(page);
    await page.getByLabel('First name').fill('Hedy');
    await page.getByLabel('Last name').fill('Lamarr');
    await page.getByLabel('Email', { exact: true }).fill('hedy@frequency');
    await page.getByLabel('Company', { exact: true }).fill('Frequency Hopping Inc');
    await page.getByLabel('Tags').fill('inventor, vip');
    await page.getByRole('button', { name: 'Create lead' }).click();
    const emailError = page.locator('#field-email-error');
    await emailError.waitFor({ timeout: 5000 });
    expect(await emailError.textContent()).toBe('Enter a valid email address');
    // What was typed is still there.
    expect(await page.getByLabel('First name').inputValue()).toBe('Hedy');
    await page.screenshot({ path: `${OUT}/lead-new-error-desktop.png`, fullPage: true });

    await page.getByLabel('Email', { exact: true }).fill('hedy@frequency.example');
    await page.getByRole('button', { name: 'Create lead' }).click();
    await page.waitForURL(/\/leads\/[0-9a-f-]{36}\?notice=created$/);
    await page.getByRole('heading', { level: 1, name: 'Hedy Lamarr' }).waitFor({ timeout: 5000 });
    await page.getByText('Lead created.').waitFor();
    leadUrl = page.url().split('?')[0];

    // Search finds it by company word and by email domain.
    await page.getByRole('link', { name: '← All leads' }).click();
    await page.waitForURL(/\/leads(\?.*)?$/);
    await hydrated(page);
    await page.getByLabel('Search leads').fill('frequency.example');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=frequency\.example/);
    await expect.poll(() => page.locator('table.leads-table tbody tr').count(), { timeout: 5000 }).toBe(1);
    await page.screenshot({ path: `${OUT}/leads-search-desktop.png`, fullPage: true });
    // "Export selected": the action answers with a document redirect, the browser downloads the CSV.
    await page.getByRole('checkbox', { name: 'Select Hedy Lamarr' }).check();
    await page.getByText('1 selected').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export selected' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^leads-demo-.*\.csv$/);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    expect(csv).toContain('hedy@frequency.example');
    expect(csv).not.toContain('ada@analytical.example');
    await page.getByRole('link', { name: 'Hedy Lamarr' }).click();
    await page.waitForURL(leadUrl);
    await hydrated(page);

    await page.getByLabel('Add a note').fill('Called about the spread-spectrum patent.\nFollow up Friday.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor({ timeout: 5000 });
    await page.locator('.timeline .event-note').getByText('Follow up Friday.', { exact: false }).waitFor();
    expect(await page.getByLabel('Add a note').inputValue()).toBe('');

    await page.locator('#quick-stage').selectOption('mql');
    await page.getByRole('button', { name: 'Change stage' }).click();
    await page.getByText('Stage set to “mql”.').waitFor({ timeout: 5000 });
    const stageEvent = page.locator('.timeline .event-stage_changed');
    await stageEvent.waitFor();
    expect(await stageEvent.locator('.event-title').textContent()).toMatch(/Stage:\s*new\s*→\s*mql/);
    const types = await page.locator('.timeline > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toEqual(['stage_changed', 'note', 'created']);
    expect(await page.locator('.lead-head .pill').textContent()).toBe('mql');
    // The lead pipeline (Graphile Worker) enriched the new lead with the local providers.
    for (let i = 0; i < 20 && (await page.locator('.enrichment-step').count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await page.locator('.enrichment-step').first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${OUT}/lead-detail-desktop.png`, fullPage: true });

    // The stage filter now finds it.
    await page.goto(`${baseUrl}/leads?stage=mql`);
    await page.getByRole('link', { name: 'Hedy Lamarr' }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${OUT}/leads-filtered-desktop.png`, fullPage: true });

    // An unknown lead is a friendly 404.
    const missing = await page.goto(`${baseUrl}/leads/0190aaaa-0000-7000-8000-000000000000`);
    expect(missing?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(browserErrors).toEqual([]);
    await context.close();
  });

  it("dates are shown in the browser's time zone, identically on the server and after hydration", async () => {
    expect(leadUrl).not.toBe('');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo' });
    const page = await logIn(context);
    await page.goto(leadUrl);
    await hydrated(page);
    const stamp = page.locator('.timeline time').first();
    const iso = await stamp.getAttribute('datetime');
    expect(iso).toBeTruthy();
    // The server rendered it from the lf_tz cookie the login page's script set.
    expect(await stamp.textContent()).toBe(formatDateTimeIn(iso, 'Asia/Tokyo'));
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'lf_tz')?.value).toBe(encodeURIComponent('Asia/Tokyo'));
    await context.close();
  });

  it('mobile (390px): the list, the lead page and the form fit the screen; the table scrolls inside its box', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await logIn(context);
    await hydrated(page);
    // NOTE: on a mobile viewport Chrome widens the layout viewport to fit overflowing content (so
    // innerWidth grows too); compare against the device width instead.
    const overflow = () => page.evaluate(() => Math.max(document.documentElement.scrollWidth, window.innerWidth) - 390);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const wrap = page.locator('.table-wrap').first();
    expect(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await page.screenshot({ path: `${OUT}/leads-list-mobile.png`, fullPage: true });
    await page.locator('summary', { hasText: 'Filters' }).click();
    await page.getByLabel('Owner').first().waitFor();
    await page.screenshot({ path: `${OUT}/leads-filters-mobile.png`, fullPage: true });

    await page.goto(leadUrl);
    await page.getByRole('heading', { level: 1, name: 'Hedy Lamarr' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${OUT}/lead-detail-mobile.png`, fullPage: true });

    await page.goto(`${baseUrl}/leads/new`);
    await page.getByRole('heading', { name: 'New lead' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${OUT}/lead-new-mobile.png`, fullPage: true });
    expect(browserErrors).toEqual([]);
    await context.close();
  });
});
