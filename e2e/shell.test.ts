/**
 * End to end, as a new user would: `scripts/start.ts` on a fresh database seeds the demo tenant
 * and prints its login; Debian's Chromium logs in and sees the app shell.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startLeadflow, type RunningApp } from './harness';

describe('npm start → demo login → app shell (Chromium)', () => {
  let app: RunningApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startLeadflow('shell');
    baseUrl = app.baseUrl;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('logs in as the printed demo user and sees the shell with the seeded leads', async () => {
    const { email, password } = app.demo;
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(/\/login/);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/leads$/);
    fs.mkdirSync('e2e/.out', { recursive: true });
    await page.screenshot({ path: 'e2e/.out/after-login.png', fullPage: true });
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const item of ['Leads', 'Workflows', 'Analytics', 'Settings']) {
      await nav.getByRole('link', { name: item }).waitFor({ state: 'visible', timeout: 5000 });
    }
    await page.getByRole('cell', { name: 'ada@analytical.example' }).waitFor({ state: 'visible', timeout: 5000 });
    await page.screenshot({ path: 'e2e/.out/shell.png', fullPage: true });

    // Wrong password: a clear message, no stack trace.
    const other = await browser.newPage();
    await other.goto(`${baseUrl}/login`);
    await other.fill('input[name=email]', email);
    await other.fill('input[name=password]', 'not the password');
    await other.click('button[type=submit]');
    await other.getByRole('alert').waitFor({ timeout: 5000 });
    expect(await other.getByRole('alert').textContent()).toContain('Email or password is incorrect.');

    // An unknown page is a friendly 404.
    const missing = await page.goto(`${baseUrl}/no-such-page`);
    expect(missing?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor({ state: 'visible', timeout: 5000 });

    // Log out through the shell's form.
    await page.goto(`${baseUrl}/leads`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);

    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ database: { ok: true } });
  });
});
