// Accounts in a real browser: registration, email verification through the development
// outbox, signing out and in, changing the password (other sessions end), password recovery,
// suspension by an admin, and every account page on a 375 px phone.
//
// Every test registers its own people (unique emails), so the tests run in parallel on the
// same server. All traffic comes from 127.0.0.1, which the throttles count as one client:
// this file makes 9 sign-in attempts (3 as the admin, 6 as the people it registers), 4
// registrations, 1 password-reset request and 3 uses of emailed links per run (limits per
// address: 30 sign-ins per 5 minutes, 10 registrations per hour, 10 reset requests per 15
// minutes, 30 link uses per 5 minutes); shell.spec.ts and bundle.spec.ts add 1 sign-in each,
// vendors.spec.ts 1 sign-in and 1 registration.
// The counters live in the server's memory, and every `playwright test` run starts a fresh
// server.
import { expect, test, type Page } from '@playwright/test';
import {
  ADMIN,
  PASSWORD,
  adminPage,
  hydrated,
  linkFromOutbox,
  newPerson,
  register,
  submitSignIn,
  uniqueEmail,
  watchConsole,
} from '../support';

const NEW_PASSWORD = 'Brave-Heron-73';
const RESET_PASSWORD = 'Quiet-Lynx-58';

test.beforeEach(({ page }) => {
  watchConsole(page);
});

/** Checks that this page's browser session is signed out: /account sends it to sign in. */
async function expectSignedOut(page: Page) {
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
}

test('register, verify, sign out and in, change the password, reset it', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const person = newPerson('flow');
  const admin = await adminPage(browser, '/admin/outbox');

  // Register: signed in at once, with the address not confirmed yet.
  await register(page, person);
  await expect(page.getByText('Your email address is not confirmed yet.')).toBeVisible();

  // Verify through the emailed link.
  const verify = await linkFromOutbox(admin, person.email, 'Confirm your email address', '/verify-email/');
  await page.goto(verify);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Email verification');
  await expect(page.getByRole('status')).toHaveText('Thank you — your email address is confirmed.');
  await page.getByRole('link', { name: 'Go to your account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.getByText(`Signed in as ${person.email}`)).toBeVisible();
  await expect(page.getByText('Your email address is not confirmed yet.')).toHaveCount(0);
  // The link works once.
  await page.goto(verify);
  await expect(page.getByRole('alert').filter({ hasText: 'The token is invalid or has expired.' })).toBeVisible();

  // Sign out from the header, then back in.
  await page.goto('/account');
  await hydrated(page);
  await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expectSignedOut(page);
  await submitSignIn(page, person.email, person.password, '/login?next=/account');
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(`Signed in as ${person.email}`)).toBeVisible();

  // A second browser signs in as the same person.
  const otherContext = await browser.newContext();
  const other = watchConsole(await otherContext.newPage());
  await submitSignIn(other, person.email, person.password);
  await expect(other).toHaveURL(/\/account$/);
  await expect(other.getByText(`Signed in as ${person.email}`)).toBeVisible();

  // Changing the password keeps this session and ends the other one.
  await page.goto('/account');
  await hydrated(page);
  const passwordSection = page.getByRole('region', { name: 'Password', exact: true });
  await passwordSection.getByLabel('Current password').fill(person.password);
  await passwordSection.getByLabel('New password').fill(NEW_PASSWORD);
  await passwordSection.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/account\?password=changed$/);
  await expect(page.getByText('Your password was changed and your other sessions were signed out.')).toBeVisible();
  await page.reload();
  await expect(page.getByText(`Signed in as ${person.email}`)).toBeVisible();
  await other.reload();
  await expect(other).toHaveURL(/\/login\?next=\/account$/);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Sign in');

  // Forgot password: the answer does not say whether the account exists; the email has a link.
  await other.goto('/forgot-password');
  await hydrated(other);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Reset your password');
  await other.getByLabel('Email').fill(person.email);
  await other.getByRole('button', { name: 'Send the link' }).click();
  await expect(other.getByRole('status')).toHaveText(
    'If an account exists for this address, an email is on its way. The link works for an hour.',
  );
  const reset = await linkFromOutbox(admin, person.email, 'Reset your password', '/reset-password/');
  await other.goto(reset);
  await hydrated(other);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
  await other.getByLabel('New password').fill(RESET_PASSWORD);
  await other.getByRole('button', { name: 'Set the password' }).click();
  await expect(other).toHaveURL(/\/login\?reset=1$/);
  await expect(other.getByRole('status')).toHaveText('Your password was changed. Sign in with the new one.');

  // A reset ends every session, including the first browser's.
  await expectSignedOut(page);

  // The old password no longer works; the new one does.
  await submitSignIn(other, person.email, NEW_PASSWORD);
  await expect(other.getByRole('alert').filter({ hasText: 'The email or password is incorrect.' })).toBeVisible();
  await expect(other).toHaveURL(/\/login/);
  await submitSignIn(other, person.email, RESET_PASSWORD);
  await expect(other).toHaveURL(/\/account$/);
  await expect(other.getByText(`Signed in as ${person.email}`)).toBeVisible();

  await otherContext.close();
  await admin.context().close();
});

test('a suspended person is signed out and cannot sign in until reactivated', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const person = newPerson('suspended');
  const fullName = `${person.firstName} ${person.lastName}`;
  await register(page, person);

  // The admin finds them by the search and opens their page.
  const admin = await adminPage(browser, '/admin/users');
  await hydrated(admin);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Users');
  await admin.getByLabel('Name or email').fill(person.email);
  await admin.getByRole('button', { name: 'Apply' }).click();
  await expect(admin).toHaveURL(/\/admin\/users\?.*search=/);
  await expect(admin.getByText('1 accounts · page 1 of 1')).toBeVisible();
  const row = admin.getByRole('row').filter({ hasText: person.email });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell', { name: 'active', exact: true })).toBeVisible();
  await row.getByRole('link', { name: fullName }).click();
  await expect(admin).toHaveURL(/\/admin\/users\/[^/?#]+$/);
  await hydrated(admin);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(fullName);
  await expect(admin.getByText(`${person.email} · user · active`)).toBeVisible();
  const sessions = admin.getByRole('region', { name: 'Sessions', exact: true }).getByRole('listitem');
  await expect(sessions).toHaveCount(1);

  // Suspend.
  await admin.getByRole('combobox', { name: 'Status', exact: true }).selectOption('suspended');
  await admin.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(admin.getByText(`${person.email} · user · suspended`)).toBeVisible();
  await expect(sessions).toHaveCount(0);
  await admin.reload();
  await expect(admin.getByText(`${person.email} · user · suspended`)).toBeVisible();
  await expect(admin.getByRole('combobox', { name: 'Status', exact: true })).toHaveValue('suspended');

  // Their open session has ended, and signing in says why it fails.
  await expectSignedOut(page);
  await submitSignIn(page, person.email, person.password);
  await expect(
    page.getByRole('alert').filter({ hasText: 'This account is suspended. Contact support to restore it.' }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await expectSignedOut(page);

  // Reactivated, they can sign in again.
  await hydrated(admin);
  await admin.getByRole('combobox', { name: 'Status', exact: true }).selectOption('active');
  await admin.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(admin.getByText(`${person.email} · user · active`)).toBeVisible();
  await submitSignIn(page, person.email, person.password);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(`Signed in as ${person.email}`)).toBeVisible();

  await admin.context().close();
});

const PHONE = { width: 375, height: 740 };

async function expectFitsPhone(page: Page) {
  await hydrated(page);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${page.url()} is ${width} px wide`).toBeLessThanOrEqual(PHONE.width);
}

const guestPages: [string, string, string][] = [
  ['/', 'Digital products, with cashback on every deal', 'Search'],
  ['/login', 'Sign in', 'Sign in'],
  ['/register', 'Create your account', 'Create account'],
  ['/forgot-password', 'Reset your password', 'Send the link'],
  ['/reset-password/x', 'Choose a new password', 'Set the password'],
];

for (const [path, heading, button] of guestPages) {
  test(`${path} is usable on a 375 px phone`, async ({ page }) => {
    await page.setViewportSize(PHONE);
    await page.goto(path);
    await expectFitsPhone(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(page.getByRole('heading', { level: 1 })).toBeInViewport();
    const primary = page.getByRole('main').getByRole('button', { name: button, exact: true });
    await expect(primary).toBeVisible();
    await primary.scrollIntoViewIfNeeded();
    await expect(primary).toBeInViewport();
  });
}

test('the account and admin pages are usable on a 375 px phone', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await adminPage(browser, '/account', PHONE);
  const main = page.getByRole('main');

  const check = async (heading: string | RegExp, primary: ReturnType<Page['getByRole']>) => {
    await expectFitsPhone(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(primary).toBeVisible();
    await primary.scrollIntoViewIfNeeded();
    await expect(primary).toBeInViewport();
  };

  await check('Your account', main.getByRole('button', { name: 'Save profile' }));
  await check('Your account', main.getByRole('button', { name: 'Change password' }));

  await page.goto('/admin');
  // The dashboard has no form: its primary controls are the admin sections.
  await check('Dashboard', page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }));

  await page.goto('/admin/users?search=ada%40agora.test');
  await check('Users', main.getByRole('button', { name: 'Apply' }));
  const row = main.getByRole('row').filter({ hasText: 'ada@agora.test' });
  await expect(row).toHaveCount(1);
  await row.getByRole('link').click();
  await expect(page).toHaveURL(/\/admin\/users\/[^/?#]+$/);
  await check(/\S/, main.getByRole('button', { name: 'Save', exact: true }));
  await expect(page.getByText('ada@agora.test · user · active')).toBeVisible();

  await page.goto('/admin/outbox');
  // The outbox is read-only: its primary control is the way back to the other sections.
  await check('Email outbox', page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Outbox' }));

  await page.context().close();
});

// A 1×1 PNG: a real image the browser can decode once it is served back from /media.
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('the profile picture, email address and notification choices are kept', async ({ page }) => {
  test.setTimeout(90_000);
  const person = newPerson('profile');
  await register(page, person);

  // Picture: something that is not an image is refused next to the field; a PNG is shown.
  const picture = page.getByLabel('Profile picture');
  await picture.setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await page.getByRole('button', { name: 'Upload picture' }).click();
  await expect(page).toHaveURL(/\/account\?avatar=not-an-image#profile$/);
  await expect(page.getByText('Upload a PNG, JPEG, WebP or GIF image.')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Your profile picture' })).toHaveCount(0);
  await page.getByLabel('Profile picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PIXEL_PNG });
  await page.getByRole('button', { name: 'Upload picture' }).click();
  await expect(page).toHaveURL(/\/account\?avatar=saved#profile$/);
  await expect(page.getByText('Picture saved.')).toBeVisible();
  const avatar = page.getByRole('img', { name: 'Your profile picture' });
  await expect(avatar).toBeVisible();
  await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);

  // Notifications: tick "News and offers", save, and find it ticked after a reload.
  await hydrated(page);
  const notifications = page.getByRole('region', { name: 'Email notifications' });
  const news = notifications.getByRole('checkbox', { name: /News and offers/ });
  await expect(news).not.toBeChecked();
  await news.check();
  await notifications.getByRole('button', { name: 'Save preferences' }).click();
  await expect(notifications.getByText('Saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('region', { name: 'Email notifications' }).getByRole('checkbox', { name: /News and offers/ })).toBeChecked();

  // Email: a wrong password is refused next to the field; the right one moves the account.
  await hydrated(page);
  const email = page.getByRole('region', { name: 'Email address' });
  const newAddress = uniqueEmail('moved');
  await email.getByLabel('New email').fill(newAddress);
  await email.getByLabel('Password').fill('Wrong-Password-1');
  await email.getByRole('button', { name: 'Change email' }).click();
  await expect(email.getByRole('alert').filter({ hasText: /\S/ })).toBeVisible();
  await expect(email.getByLabel('New email')).toHaveValue(newAddress);
  await email.getByLabel('Password').fill(person.password);
  await email.getByRole('button', { name: 'Change email' }).click();
  await expect(page).toHaveURL(/\/account\?email=changed$/);
  await expect(page.getByText('Your email address was changed.', { exact: false })).toBeVisible();
  await expect(page.getByText(`Signed in as ${newAddress} (user)`)).toBeVisible();
  await expect(page.getByText('Your email address is not confirmed yet.')).toBeVisible();
});

test('an API key is shown once, listed, and revoked in place (the API-key island)', async ({ page }) => {
  const person = newPerson('keys');
  await register(page, person);
  await hydrated(page);
  const keys = page.getByRole('region', { name: 'API keys' });
  await keys.getByLabel('Key name').fill('CI robot');
  await keys.getByLabel('Read and write').check();
  await keys.getByRole('button', { name: 'Create key' }).click();
  const shown = keys.getByRole('status');
  await expect(shown).toContainText('it will not be shown again');
  await expect(shown.locator('code')).toHaveText(/^agora_\S{40,}$/);
  const item = keys.getByRole('listitem').filter({ hasText: 'CI robot' });
  await expect(item).toContainText('read and write');
  await item.getByRole('button', { name: 'Revoke' }).click();
  await expect(keys.getByRole('listitem').filter({ hasText: 'CI robot' })).toHaveCount(0);
  // The secret lived only in that page: a reload shows neither it nor the revoked key.
  await page.reload();
  await expect(page.getByRole('region', { name: 'API keys' }).locator('code')).toHaveCount(0);
});
