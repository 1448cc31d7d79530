// Paying on the providers' own forms, in a real browser: a buyer checks out with Stripe, is
// declined on Stripe's form, pays with a good card and gets the files once Stripe's webhook
// has settled the order; then pays a second order through Razorpay Checkout after a failed
// attempt. This machine cannot reach Stripe or Razorpay, so their scripts and APIs are
// routed to the local stand-in (providers.mjs); the page's Content-Security-Policy applies
// before any routing, so a script or call it does not allow fails the test.
import { expect, test, type Page, type Route } from '@playwright/test';
import { hydrated, newPerson, register, watchConsole } from '../support';

const standIn = `http://127.0.0.1:${process.env.AGORA_E2E_PROVIDERS_PORT}`;

async function routeProviders(page: Page) {
  const to = (path: (url: URL) => string) => async (route: Route) => {
    const response = await route.fetch({ url: standIn + path(new URL(route.request().url())) });
    await route.fulfill({ response });
  };
  await page.route('https://js.stripe.com/**', to(() => '/stripe.js'));
  await page.route('https://checkout.razorpay.com/**', to(() => '/razorpay.js'));
  await page.route('https://api.stripe.com/**', to((url) => url.pathname));
  await page.route('https://api.razorpay.com/**', to((url) => url.pathname));
}

/** Puts the `nth` product of a storefront into the cart; its title. */
async function addToCart(page: Page, nth: number) {
  await page.goto('/products?vendor=flowsmith');
  const card = page.getByRole('article').nth(nth);
  const title = (await card.getAttribute('aria-label'))!;
  await card.getByRole('link', { name: title, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/cart$/);
  return title;
}

/** Checks out the cart with the method whose label starts with `method`. */
async function checkOutWith(page: Page, method: RegExp, path: RegExp) {
  await page.goto('/checkout');
  await hydrated(page);
  await page.getByLabel('Country').selectOption('IN');
  await page.getByRole('radio', { name: method }).check();
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page).toHaveURL(path);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pay for your order');
}

test('paying on Stripe’s and Razorpay’s own forms', async ({ page }) => {
  test.setTimeout(90_000);
  watchConsole(page);
  await routeProviders(page);
  await register(page, newPerson('providers'));

  // Stripe: a declined card is Stripe's message on the form; the good card settles the order.
  await addToCart(page, 2);
  await checkOutWith(page, /^Card \(Stripe\)/, /\/orders\/[0-9a-f-]+\/pay\/stripe$/);
  const card = page.getByLabel('Card number (Stripe)');
  const pay = page.getByRole('button', { name: /^Pay / });
  await card.fill('4000 0000 0000 0002');
  await pay.click();
  await expect(page.getByRole('alert').filter({ hasText: 'Your card was declined.' })).toBeVisible();
  await card.fill('4242 4242 4242 4242');
  await pay.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]+\?paying=1&payment_intent=pi_/);
  await expect(page.getByRole('status').filter({ hasText: 'your payment went through' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Downloads' }).getByRole('link', { name: /^Download / }).first()).toBeVisible();

  // Razorpay: a failed attempt is said on the page; paying again in the same checkout works.
  await addToCart(page, 3);
  await checkOutWith(page, /^Razorpay/, /\/orders\/[0-9a-f-]+\/pay\/razorpay$/);
  await page.getByRole('button', { name: /^Pay / }).click();
  const checkout = page.getByRole('dialog', { name: 'Razorpay Checkout' });
  await checkout.getByRole('button', { name: 'Fail the payment' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Payment failed at the bank.' })).toBeVisible();
  await checkout.getByRole('button', { name: 'Pay with UPI' }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]+\?paying=1$/);
  await expect(page.getByRole('status').filter({ hasText: 'your payment went through' })).toBeVisible();
});
