// Buying and getting paid, in a real browser: the demo admin sets the earnings hold to zero
// days; a guest fills a cart with two Flowsmith products and signs in (the cart comes along),
// checks out, is declined, pays again with the good card and downloads a file; the vendor
// sees the sale go to pending and mature, and requests a payout; staff approve it and mark
// it paid; staff refund the order and the download link stops working. (One registration and
// three sign-ins per run; see accounts.spec.ts for the per-address limits.)
import { expect, test } from '@playwright/test';
import { adminPage, hydrated, newPerson, register, submitSignIn, watchConsole } from '../support';

const VENDOR = { email: 'workflows@agora.test', password: 'Vendor-Demo-2026' };

test.beforeEach(({ page }) => {
  watchConsole(page);
});

test('cart, checkout, a decline, downloads, earnings, a payout and a refund', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const admin = await adminPage(browser, '/admin');
  await admin.getByLabel('Earnings hold (days)').fill('0');
  await admin.getByLabel('Payout minimum').fill('1');
  await admin.getByRole('button', { name: 'Save money settings' }).click();
  await expect(admin).toHaveURL(/\/admin\?saved=1$/);

  // Someone with an account, signed out in this browser.
  const person = newPerson('buyer');
  const other = await browser.newContext();
  await register(watchConsole(await other.newPage()), person);
  await other.close();

  // As a guest: two products into the cart.
  await page.goto('/products?vendor=flowsmith');
  const cards = page.getByRole('article');
  const titles = [await cards.nth(0).getAttribute('aria-label'), await cards.nth(1).getAttribute('aria-label')];
  for (const title of titles) {
    await page.goto('/products?vendor=flowsmith');
    await page.getByRole('article', { name: title!, exact: true }).getByRole('link', { name: title!, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(title!);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect(page).toHaveURL(/\/cart$/);
  }
  const cart = page.getByRole('list', { name: 'Products in your cart' });
  await expect(cart.getByRole('listitem')).toHaveCount(2);
  await page.getByRole('link', { name: 'Sign in to check out' }).click();

  // Signing in brings the cart along and goes on to checkout.
  await hydrated(page);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Checkout');
  const summary = page.getByRole('region', { name: 'Your order' });
  for (const title of titles) await expect(summary).toContainText(title!);

  // A declined card: the order is kept, the reason is shown, and it can be paid again.
  await hydrated(page);
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Card number').fill('4000 0000 0000 0002');
  await page.getByLabel('Expiry (MM/YY)').fill('12/39');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]+$/);
  const orderUrl = page.url();
  const orderId = new URL(orderUrl).pathname.split('/').pop()!;
  await expect(page.getByRole('alert').filter({ hasText: 'Your card was declined' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/39');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('status').filter({ hasText: 'your payment went through' })).toBeVisible();

  // The files download, and are counted.
  const downloads = page.getByRole('region', { name: 'Downloads' });
  const link = downloads.getByRole('link', { name: /^Download / }).first();
  const href = await link.getAttribute('href');
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(file.suggestedFilename()).toMatch(/\.txt$/);
  await page.reload();
  await expect(downloads).toContainText('downloaded 1 times');

  // The vendor sees the sale land in pending, then mature (the hold is zero days); they ask
  // for a payout.
  const vendorContext = await browser.newContext();
  const vendor = watchConsole(await vendorContext.newPage());
  await submitSignIn(vendor, VENDOR.email, VENDOR.password, '/login?next=/vendor/earnings');
  await expect(vendor).toHaveURL(/\/vendor\/earnings$/);
  await expect(vendor.getByRole('heading', { level: 1 })).toHaveText('Earnings');
  await expect(vendor.getByRole('img', { name: 'Earnings per day, last 30 days' })).toBeVisible();
  await expect(async () => {
    await vendor.reload();
    const movements = vendor.getByRole('table', { name: 'Movements' }).getByRole('row').filter({ hasText: `Order ${orderId}` });
    await expect(movements.filter({ hasText: 'pending' }).first()).toBeVisible({ timeout: 1_000 });
    await expect(movements.filter({ hasText: 'hold period over' }).filter({ hasText: 'available' }).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await hydrated(vendor);
  await vendor.getByLabel('Amount').fill('1.50');
  await vendor.getByRole('button', { name: 'Request payout' }).click();
  await expect(vendor).toHaveURL(/requested=1$/);
  await expect(vendor.getByRole('status').filter({ hasText: 'Payout requested' })).toBeVisible();
  const vendorPayouts = vendor.getByRole('table', { name: 'Payouts' });
  await expect(vendorPayouts.getByRole('row').filter({ hasText: '1.50 USD' }).filter({ hasText: 'requested' })).toBeVisible();

  // Staff approve it and mark it paid.
  await admin.goto('/admin/payouts?status=requested');
  await hydrated(admin);
  await admin.getByRole('button', { name: 'Approve the payout of 1.50 USD' }).click();
  await expect(admin).toHaveURL(/\/admin\/payouts$/);
  const adminPayouts = admin.getByRole('table', { name: 'Payouts' });
  const approved = adminPayouts.getByRole('row').filter({ hasText: '1.50 USD' }).filter({ hasText: 'approved' });
  await approved.getByLabel('Transfer reference').fill(`E2E-${orderId.slice(0, 8)}`);
  await approved.getByRole('button', { name: 'Mark paid' }).click();
  await expect(adminPayouts.getByRole('row').filter({ hasText: `Reference E2E-${orderId.slice(0, 8)}` })).toContainText('paid');
  await vendor.reload();
  await expect(vendorPayouts.getByRole('row').filter({ hasText: `Reference E2E-${orderId.slice(0, 8)}` })).toBeVisible();

  // Staff refund the order: the download link stops working.
  await admin.goto(`/admin/orders/${orderId}`);
  await hydrated(admin);
  await admin.getByLabel('Reason for refunding the whole order').fill('Customer changed their mind');
  await admin.getByRole('button', { name: 'Refund the whole order' }).click();
  await expect(admin.getByRole('region', { name: 'Receipt' })).toContainText('Status: Refunded');
  const gone = await page.request.get(href!);
  expect(gone.status()).toBe(409);
  await page.goto(orderUrl);
  await expect(page.getByRole('region', { name: 'Receipt' })).toContainText('Status: Refunded');
  await expect(page.getByRole('region', { name: 'Downloads' })).toHaveCount(0);
  await admin.goto('/admin/ledger');
  await expect(admin.getByRole('status')).toContainText('Ledger balanced');
  await vendorContext.close();
});
