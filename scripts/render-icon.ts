// Renders media/icon.svg to the 128x128 media/icon.png the marketplace needs, with Debian's Chromium.
// Usage: npx tsx scripts/render-icon.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tools/test-host/workbench';

async function main() {
  const svg = readFileSync(join(__dirname, '..', 'media', 'icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(__dirname, '..', 'media', 'icon.png'), omitBackground: true });
  await browser.close();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
