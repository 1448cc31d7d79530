// Selling in a real browser, end to end: a new person applies at /sell, the demo admin
// approves the application at /admin/vendors; the new vendor creates a product with an image
// and submits it; staff approve it at /admin/products; a guest finds it by search, filters by
// category and price, and opens it; a customer saves it to the wishlist and removes it; staff
// give the customer a copy, and the customer, now a verified buyer, reviews it. (One
// registration per run; see accounts.spec.ts for the per-address limits.)
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminPage, hydrated, newPerson, register, submitSignIn, watchConsole } from '../support';

const CUSTOMER = { email: 'ada@agora.test', password: 'Customer-Demo-2026' };

/** A PNG the demo seed drew (800 × 500), to upload as a product image. */
function demoImage() {
  const folder = join(process.env.AGORA_E2E_DATA ?? '', 'media', 'products');
  const png = readdirSync(folder).find((name) => name.endsWith('.png') && !name.includes('-thumb'));
  if (!png) throw new Error(`no seeded image in ${folder}`);
  return { name: 'cover.png', mimeType: 'image/png', buffer: readFileSync(join(folder, png)) };
}

test.beforeEach(({ page }) => {
  watchConsole(page);
});

test('apply, get approved, sell a product; guests find it; buyers save and review it', async ({ page, browser }) => {
  test.setTimeout(120_000);
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

  // The new vendor creates a product with an image, and submits it.
  const title = `Loom pattern pack ${tag}`;
  await page.goto('/vendor');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(store);
  await page.getByRole('link', { name: 'New product' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New product');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Summary').fill('Forty weaving patterns, ready for your loom.');
  await page.getByLabel('Description (Markdown)').fill('## Inside\n\n- 40 patterns\n- A colour guide');
  await page.getByLabel('Price', { exact: true }).fill('24.50');
  await page.getByLabel('Category').selectOption({ label: '— n8n' });
  await page.getByLabel('Tags').fill(`weaving, patterns`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/vendor\/products\/[0-9a-f-]+$/);
  await expect(page.getByText('Status: draft')).toBeVisible();
  const images = page.getByRole('region', { name: 'Images' });
  await images.getByLabel('Add an image').setInputFiles(demoImage());
  await images.getByLabel('Description for screen readers').fill('The pattern sampler');
  await images.getByRole('button', { name: 'Upload' }).click();
  await expect(page).toHaveURL(/image=saved#images$/);
  await expect(page.getByRole('img', { name: 'The pattern sampler' })).toBeVisible();
  await page.goto('/vendor');
  const mine = page.getByRole('article', { name: title });
  await mine.getByRole('button', { name: 'Submit for review' }).click();
  await expect(mine).toContainText('pending');

  // Staff approve it.
  await admin.goto('/admin/products');
  const pending = admin.getByRole('article', { name: title });
  await pending.getByRole('button', { name: 'Approve' }).click();
  await expect(pending).toHaveCount(0);

  // A guest finds it by search, narrows by category and price, and opens it.
  await guest.goto('/products');
  await guest.getByRole('searchbox', { name: 'Search', exact: true }).fill(`loom ${tag}`);
  await guest.getByRole('button', { name: 'Apply' }).click();
  await expect(guest.getByRole('article', { name: title })).toBeVisible();
  await guest.getByLabel('Category').selectOption({ label: 'Automation' });
  await guest.getByLabel('Max price').fill('25');
  await guest.getByRole('button', { name: 'Apply' }).click();
  await expect(guest).toHaveURL(/category=automation/);
  const card = guest.getByRole('article', { name: title });
  await expect(card).toContainText('24.50');
  await card.getByRole('link', { name: title }).click();
  await expect(guest.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(guest.getByRole('img', { name: 'The pattern sampler' })).toBeVisible();
  await expect(guest.getByText('No reviews yet.')).toBeVisible();
  const productUrl = guest.url();
  const slug = new URL(productUrl).pathname.split('/').pop() ?? '';
  await guest.close();

  // A customer saves it to the wishlist (the header counts it), then removes it.
  const customerContext = await browser.newContext();
  const customer = watchConsole(await customerContext.newPage());
  await submitSignIn(customer, CUSTOMER.email, CUSTOMER.password);
  await expect(customer).toHaveURL(/\/account$/);
  await customer.goto(productUrl);
  await customer.getByRole('button', { name: 'Add to wishlist' }).click();
  await expect(customer.getByRole('button', { name: 'Remove from wishlist' })).toBeVisible();
  await expect(customer.getByLabel('1 saved')).toBeVisible();
  await customer.getByRole('link', { name: /Wishlist/ }).click();
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText('Your wishlist');
  const saved = customer.getByRole('article', { name: title });
  await saved.getByRole('button', { name: 'Remove from wishlist' }).click();
  await expect(customer.getByText('Nothing saved yet.')).toBeVisible();

  // Staff give the customer a copy; as a verified buyer, they review it.
  await admin.goto(`/admin/users?search=${encodeURIComponent(CUSTOMER.email)}`);
  await admin.getByRole('link', { name: /Ada Lovelace/ }).click();
  await admin.getByLabel('Product address or id').fill(slug);
  await admin.getByRole('button', { name: 'Give' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'they own it now' })).toBeVisible();
  await customer.goto(productUrl);
  await customer.getByLabel('Stars').selectOption('5');
  await customer.getByLabel('Your review').fill('Beautiful patterns, clearly explained.');
  await customer.getByRole('button', { name: 'Publish review' }).click();
  const review = customer.getByRole('article', { name: 'Review by Ada L.' });
  await expect(review).toContainText('Beautiful patterns, clearly explained.');
  await expect(customer.getByText('5.0', { exact: true })).toBeVisible();
  await customerContext.close();
});
