// The app shell in a real browser: server rendering without JavaScript, hydration, the 404
// page, the health endpoint, a 375 px phone, and a clean console (no CSP violations).
import { expect, test, type Page } from '@playwright/test';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the home page is complete', async ({ page }) => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Digital products, with cashback on every deal',
    );
    await expect(page.getByRole('banner')).toBeVisible();
    await expect(page.getByRole('contentinfo')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByLabel('Search products')).toBeVisible();
  });

  test('search works as a plain form', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Search products').fill('ai agents');
    await page.getByLabel('Search products').press('Enter');
    await expect(page).toHaveURL(/\/products\?q=ai\+agents/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Results for “ai agents”');
  });
});

test('the page hydrates and its menu button works on a phone', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/');
  await hydrated(page);
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await menu.click();
  await expect(page.getByRole('button', { name: 'Close menu' })).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  expect(problems, problems.join('\n')).toEqual([]);
});

test('unknown pages show the 404 page with status 404', async ({ page }) => {
  const response = await page.goto('/there/is/nothing/here');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('/health is ok', async ({ request }) => {
  const response = await request.get('/health');
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.status).toBe('ok');
  expect(body.checks.database.status).toBe('ok');
});

for (const path of ['/', '/search?q=x', '/admin', '/missing', '/api/docs']) {
  test(`${path} fits a 375 px phone`, async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(path);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
  });
}

test('the admin dashboard shows the seeded settings', async ({ page }) => {
  // Guests are sent to sign in first, and come back after.
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/login\?next=\/admin/);
  await page.getByLabel('Email').fill('admin@agora.test');
  await page.getByLabel('Password').fill('Admin-Demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('navigation', { name: 'Admin' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
  await expect(page.getByText('Agora Demo Market')).toBeVisible();
  await expect(page.getByText('8.25 %')).toBeVisible();
});
