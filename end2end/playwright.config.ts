// Playwright runs against the real `agora` binary built by cargo-leptos, in Debian's
// Chromium (Playwright cannot download its own browser here). The server gets a free port
// and a fresh, seeded SQLite database per run.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Workers re-read this file; the environment carries the main process's choices to them.
function freePort() {
  return execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ])
    .toString()
    .trim();
}
process.env.AGORA_E2E_PORT ??= freePort();
process.env.AGORA_E2E_PROVIDERS_PORT ??= freePort();
if (!process.env.AGORA_E2E_DATA) {
  process.env.AGORA_E2E_DATA = mkdtempSync(join(tmpdir(), 'agora-e2e-'));
}
const port = process.env.AGORA_E2E_PORT;
const providers = `http://127.0.0.1:${process.env.AGORA_E2E_PROVIDERS_PORT}`;
// The keys Agora and the providers' stand-in (providers.mjs) share.
const keys = {
  STRIPE_SECRET_KEY: 'sk_test_e2e',
  STRIPE_WEBHOOK_SECRET: 'whsec_e2e',
  RAZORPAY_KEY_ID: 'rzp_test_e2e',
  RAZORPAY_KEY_SECRET: 'rzp_secret_e2e',
  RAZORPAY_WEBHOOK_SECRET: 'rzp_webhook_e2e',
};
const root = resolve(__dirname, '..');
const binary = process.env.AGORA_BIN ?? join(root, 'target', 'debug', 'agora');

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: process.env.CI ? 'list' : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    {
      command: 'exec node providers.mjs',
      cwd: __dirname,
      url: `${providers}/health`,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...keys, PORT: process.env.AGORA_E2E_PROVIDERS_PORT!, AGORA_URL: `http://127.0.0.1:${port}` },
    },
    {
      command: `"${binary}" seed --demo && exec "${binary}" serve`,
      cwd: root,
      url: `http://127.0.0.1:${port}/health`,
      reuseExistingServer: false,
      // The demo seed draws 210 cover images and writes ~500 reviews first.
      timeout: 180_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        DATABASE_URL: `sqlite://${process.env.AGORA_E2E_DATA}/agora.db`,
        AGORA_MEDIA_DIR: join(process.env.AGORA_E2E_DATA, 'media'),
        AGORA_FILES_DIR: join(process.env.AGORA_E2E_DATA, 'files'),
        AGORA_LISTEN_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: join(root, 'target', 'site'),
        RUST_LOG: 'warn',
        AGORA_STRIPE_SECRET_KEY: keys.STRIPE_SECRET_KEY,
        AGORA_STRIPE_PUBLISHABLE_KEY: 'pk_test_e2e',
        AGORA_STRIPE_WEBHOOK_SECRET: keys.STRIPE_WEBHOOK_SECRET,
        AGORA_STRIPE_API_BASE: providers,
        AGORA_RAZORPAY_KEY_ID: keys.RAZORPAY_KEY_ID,
        AGORA_RAZORPAY_KEY_SECRET: keys.RAZORPAY_KEY_SECRET,
        AGORA_RAZORPAY_WEBHOOK_SECRET: keys.RAZORPAY_WEBHOOK_SECRET,
        AGORA_RAZORPAY_API_BASE: providers,
      },
    },
  ],
});
