// What the browser tests share: the demo admin, people registered through the real form,
// signing in, waiting for hydration (with the console errors that explain a failure), and
// links read from the development outbox.
import { expect, type Browser, type Page } from '@playwright/test';

export const ADMIN = { email: 'admin@agora.test', password: 'Admin-Demo-2026' };
export const PASSWORD = 'Sturdy-Otter-42';

/** Console errors per page, to say why a page did not hydrate (e.g. a CSP violation). */
const consoleErrors = new WeakMap<Page, string[]>();

export function watchConsole(page: Page) {
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

export async function hydrated(page: Page) {
  try {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  } catch (error) {
    const errors = consoleErrors.get(page) ?? [];
    throw new Error(`${page.url()} did not hydrate. Console errors:\n${errors.join('\n')}\n\n${error}`);
  }
}

export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export type Person = { email: string; password: string; firstName: string; lastName: string };

export function newPerson(prefix: string): Person {
  const tag = Math.random().toString(36).slice(2, 8);
  return {
    email: uniqueEmail(prefix),
    password: PASSWORD,
    firstName: 'Tess',
    lastName: `${prefix[0].toUpperCase()}${prefix.slice(1)} ${tag}`,
  };
}

/** Registers `person` through /register; they end up signed in on /account. */
export async function register(page: Page, person: Person) {
  await page.goto('/register');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create your account');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByLabel('First name').fill(person.firstName);
  await page.getByLabel('Last name').fill(person.lastName);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/account\?welcome=1$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.getByText('Welcome to Agora! We sent you an email to confirm your address.')).toBeVisible();
  await expect(page.getByText(`Signed in as ${person.email} (user)`)).toBeVisible();
}

/** Fills and sends the sign-in form (one counted sign-in attempt). */
export async function submitSignIn(page: Page, email: string, password: string, path = '/login') {
  await page.goto(path);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A separate browser context signed in as the demo admin, on `path`. */
export async function adminPage(browser: Browser, path: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = watchConsole(await context.newPage());
  await submitSignIn(page, ADMIN.email, ADMIN.password, `/login?next=${path}`);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  return page;
}

/**
 * The link in the newest outbox email to `to` whose subject is `subject` and that
 * contains `path` (e.g. "/verify-email/"). Emails are sent by a background job, so the
 * outbox is reloaded until it arrives.
 */
export async function linkFromOutbox(admin: Page, to: string, subject: string, path: string) {
  let link = '';
  await expect(async () => {
    await admin.goto('/admin/outbox');
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Email outbox');
    const email = admin
      .getByRole('listitem')
      .filter({ hasText: `To ${to} ·` })
      .filter({ has: admin.getByRole('heading', { name: subject, exact: true }) })
      .first();
    const text = await email.innerText({ timeout: 1_000 });
    const match = text.match(new RegExp(`https?://\\S+${path}\\S+`));
    expect(match, `no ${path} link in:\n${text}`).not.toBeNull();
    link = match![0];
  }).toPass({ timeout: 20_000 });
  return link;
}
