// Storefronts in a real browser: a new person applies at /sell, the demo admin approves the
// application at /admin/vendors, and the storefront opens to guests. (One registration and
// one admin sign-in per run; see accounts.spec.ts for the per-address limits.)
import { expect, test } from '@playwright/test';
import { adminPage, hydrated, newPerson, register, watchConsole } from '../support';

test.beforeEach(({ page }) => {
  watchConsole(page);
});

test('apply at /sell, staff approve, the storefront opens to guests', async ({ page, browser }) => {
  const person = newPerson('seller');
  await register(page, person);
  const tag = Math.random().toString(36).slice(2, 8);
  const store = `Loom Works ${tag}`;

  await page.goto('/sell');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sell on Agora');
  await page.getByLabel('Store name').fill(store);
  await page.getByLabel('Description').fill('Weaving-pattern generators and loom templates.');
  await page.getByLabel('Contact email').fill(person.email);
  await page.getByLabel('Payout method').selectOption('paypal');
  await page.getByLabel('Payout details').fill(person.email);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/\/sell\?applied=1$/);
  await expect(page.getByRole('status')).toContainText(`Your application for ${store} is being reviewed`);

  const admin = await adminPage(browser, '/admin/vendors');
  await hydrated(admin);
  const application = admin.getByRole('article', { name: store });
  await expect(application).toContainText(`/vendors/loom-works-${tag}`);
  await application.getByRole('button', { name: 'Approve' }).click();
  await expect(application).toHaveCount(0);

  await page.goto('/sell');
  await expect(page.getByRole('status')).toContainText(`${store} is approved and open`);
  await page.getByRole('link', { name: 'Open your storefront' }).click();
  await expect(page).toHaveURL(new RegExp(`/vendors/loom-works-${tag}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(store);

  const guest = await browser.newPage();
  await guest.goto(`/vendors/loom-works-${tag}`);
  await expect(guest.getByRole('heading', { level: 1 })).toHaveText(store);
  await expect(guest.getByText(person.email)).toHaveCount(0);
  await guest.close();
});
