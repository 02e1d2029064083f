/**
 * `npm run screenshots`: the console's main views as PNGs in docs/screenshots/ (shown in the README), taken with
 * headless Chromium (Debian's `chromium`, driven by playwright-core) from an API on a free loopback port over a
 * seeded 256-GPU cluster of its own in the local QuestDB and Redis (`npm run services:up` first).
 *
 *   npm run screenshots                      # CHROMIUM_PATH=/usr/bin/chromium by default
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { seedConsoleFleet } from '../test/console-fleet.js';

const OUT = 'docs/screenshots';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const key = randomBytes(18).toString('hex');
const tag = randomBytes(3).toString('hex');
const config = loadConfig({
  ...process.env,
  LOG_LEVEL: 'warn',
  API_KEYS: `admin:${key}`,
  API_ANONYMOUS_ROLE: '',
  QUEUE_PREFIX: `shots-${tag}`,
  HEALTH_RECORD_EVERY_S: '0',
});
const app = await buildApp({ config, logger: false });
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const cluster = `dc-east-${tag}`;
  console.log(`seeding cluster ${cluster} (256 GPUs, 1 h of telemetry)`);
  const fleet = await seedConsoleFleet(app, { cluster, gpus: 256, minutes: 60, seed: 11 });
  // A trend for the score: the health as it was every 5 minutes of the seeded hour.
  const now = Date.now();
  for (let t = now - 55 * 60_000; t <= now; t += 5 * 60_000) await app.fleetHealth.record(t);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.fill('#api-key', key);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#nav a');
  await mkdir(OUT, { recursive: true });
  // [file, view, ready when, down to (the drill-down's charts sit below the fold, under its reasons)].
  const shots: [string, string, string, string | null][] = [
    ['overview', `#/overview?cluster=${cluster}`, '.view[data-ready="true"]', null],
    ['incidents', `#/incidents?cluster=${cluster}`, '#incidents', null],
    ['recommendations', `#/recommendations?cluster=${cluster}`, '#recommendations', null],
    ['drill-down', `#/gpu/${fleet.drillDevice}?range=1h`, '.view[data-ready="true"]', '#charts'],
    ['models', '#/models', '.model', null],
  ];
  for (const [name, hash, ready, downTo] of shots) {
    await page.goto(`${url}/${hash}`);
    await page.waitForSelector(ready, { timeout: 20_000 });
    await page.mouse.move(0, 0);
    const file = `${OUT}/${name}.png`;
    const bottom = downTo ? await page.locator(downTo).boundingBox() : null;
    await page.screenshot({
      path: file,
      ...(bottom ? { fullPage: true, clip: { x: 0, y: 0, width: 1280, height: bottom.y + bottom.height + 12 } } : {}),
    });
    console.log(`${file} ${Math.round((await stat(file)).size / 1024)} KB`);
  }
} finally {
  await browser.close();
  await app.close();
}
