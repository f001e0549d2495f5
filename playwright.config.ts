import { defineConfig } from '@playwright/test';

/**
 * The web app in real Chromium: Debian's (/usr/bin/chromium, or
 * KX_CHROMIUM), never a downloaded one. The services and the app are started
 * by test/web/global-setup.ts from the build (`npm run test:web` builds).
 */
export default defineConfig({
  testDir: 'test/web',
  outputDir: 'test-results/web/artifacts',
  globalSetup: './test/web/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.KX_CHROMIUM ?? '/usr/bin/chromium',
      // A closed network: no update checks, no component downloads.
      args: ['--disable-background-networking', '--disable-component-update'],
    },
    trace: 'retain-on-failure',
  },
});
