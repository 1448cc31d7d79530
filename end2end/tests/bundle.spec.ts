// The bundle budget (ARCHITECTURE.md): a first visit to a storefront page loads at most 150 KB
// of wasm + JS, compressed as served, and it does not grow with each new page — pages are
// server-rendered, only islands hydrate, and every island a storefront page does not need is
// `#[island(lazy)]`, split into its own wasm file that loads only where the island is used.
// Measured in the browser (the bodies as they came over the wire), so it needs the release
// bundle `.ci/test` builds: a debug build is several megabytes and fails here on purpose.
import { expect, test, type Page } from '@playwright/test';

const BUDGET_BYTES = 150_000;
// `essential-n8n-kit` is the first demo product the seed puts on sale.
const STOREFRONT_PAGES = ['/', '/products?q=templates', '/products/essential-n8n-kit', '/login', '/register'];

type Loaded = { name: string; bytes: number };

/// The wasm and JS files this page loaded, with their compressed sizes.
async function scriptsLoaded(page: Page): Promise<Loaded[]> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.waitForLoadState('networkidle');
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => entry as PerformanceResourceTiming)
      .filter((entry) => /\.(wasm|js)(\?|$)/.test(new URL(entry.name).pathname))
      .map((entry) => ({ name: new URL(entry.name).pathname, bytes: entry.encodedBodySize })),
  );
}

for (const path of STOREFRONT_PAGES) {
  test(`a first visit to ${path} loads at most 150 KB of wasm + JS`, async ({ page }) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    const loaded = await scriptsLoaded(page);
    const total = loaded.reduce((sum, file) => sum + file.bytes, 0);
    const report = loaded.map((file) => `${file.name}: ${file.bytes} B`).join('\n');
    expect(loaded.some((file) => file.name.endsWith('.wasm')), report).toBe(true);
    expect(loaded.every((file) => file.bytes > 0), `a size was not measured:\n${report}`).toBe(true);
    expect(total, `${total} B of wasm + JS:\n${report}`).toBeLessThanOrEqual(BUDGET_BYTES);
    // The account page's island is split out: a storefront page never loads it.
    expect(loaded.filter((file) => file.name.includes('/split_')), report).toEqual([]);
  });
}

test('a lazy island loads its own wasm only on the page that uses it', async ({ page }) => {
  await page.goto('/login?next=/account');
  await page.getByLabel('Email').fill('grace@agora.test');
  await page.getByLabel('Password').fill('Customer-Demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  const keys = page.getByRole('region', { name: 'API keys' });
  await expect(keys.getByRole('button', { name: 'Create key' })).toBeEnabled();
  const loaded = await scriptsLoaded(page);
  const report = loaded.map((file) => `${file.name}: ${file.bytes} B`).join('\n');
  expect(loaded.filter((file) => file.name.includes('/split_')).length, report).toBe(1);
});
