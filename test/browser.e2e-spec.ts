import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { inCi } from './setup/services';
import { createTestApp, type TestApp } from './utils/harness';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const available = existsSync(CHROMIUM);
if (!available) {
  const reason = `${CHROMIUM} not found (Debian package "chromium")`;
  // Outside CI a missing browser skips the suite with the reason; CI installs it, so there it fails.
  if (inCi()) throw new Error(`The browser test needs Chromium under CI: ${reason}`);
  console.warn(`Skipping the browser test: ${reason}`);
}
const describeWithBrowser = available ? describe : describe.skip;

describeWithBrowser('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp({ redis: false });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders the operations list under the /docs CSP, with no CSP violation, console error or remote request', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const remote: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (req) => {
      if (!req.url().startsWith(base) && !req.url().startsWith('data:')) remote.push(req.url());
    });
    // A CSP violation is also reported as an event in the page: record those too.
    // (a string: the test is compiled without the DOM library)
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));",
    });

    const response = await page.goto(`${base}/docs`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.opblock', { timeout: 20_000 });
    const operations = await page.locator('.opblock').count();
    expect(operations).toBeGreaterThan(0);
    expect(await page.locator('.opblock-summary-path').allTextContents()).toEqual(
      expect.arrayContaining(['/health/live']),
    );
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
    expect(remote).toEqual([]);
    await page.close();
  }, 60_000);
});
