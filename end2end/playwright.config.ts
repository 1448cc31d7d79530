// Playwright runs against the real `agora` binary built by cargo-leptos, in Debian's
// Chromium (Playwright cannot download its own browser here). The server gets a free port
// and a fresh, seeded SQLite database per run.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Workers re-read this file; the environment carries the main process's choices to them.
if (!process.env.AGORA_E2E_PORT) {
  process.env.AGORA_E2E_PORT = execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ])
    .toString()
    .trim();
}
if (!process.env.AGORA_E2E_DATA) {
  process.env.AGORA_E2E_DATA = mkdtempSync(join(tmpdir(), 'agora-e2e-'));
}
const port = process.env.AGORA_E2E_PORT;
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
  webServer: {
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
    },
  },
});
