// One timed run of `postsafe app` over a folder of photos, as a person uses it: the photos are
// chosen with "Choose photos…" in Debian's chromium (the browser reads them from disk and sends
// them to the app), and the clock stops when the page says every photo is checked. Called by
// benches/app_vs_cli.sh, which times the command line on the same photos beside it.
//
// Usage: node benches/app_speed.mjs BIN PHOTO_DIR OUT_DIR THREADS
// Prints one line: "app <seconds from choosing to every photo checked> <seconds of the check alone>".
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// playwright-core is installed for the browser tests, in tests/app/.
const require = createRequire(new URL('../tests/app/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [bin, photoDir, out, threads] = process.argv.slice(2);
const photos = fs.readdirSync(photoDir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => path.join(photoDir, f));

const server = spawn(bin, ['app', '--no-browser', '--out', out, '-j', threads], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((ok, fail) => {
  let said = '';
  server.stdout.on('data', (d) => {
    said += d;
    if (said.includes('\n')) ok(said.split('\n')[0].trim());
  });
  server.on('exit', (code) => fail(new Error(`postsafe app exited (${code})`)));
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  // When the server is told every photo is there: the check itself starts.
  let checkStarted = null;
  page.on('request', (r) => { if (r.url().endsWith('/start')) checkStarted = performance.now(); });
  const started = performance.now();
  await page.setInputFiles('#photos-input', photos);
  await page.locator('#done-actions').waitFor({ state: 'visible', timeout: 3_600_000 });
  const done = performance.now();
  const checked = await page.locator('#ready-list > li, #held-list > li, #problems-list > li').count();
  if (checked !== photos.length) throw new Error(`${checked} of ${photos.length} photos were checked`);
  console.log(`app ${((done - started) / 1000).toFixed(2)} ${((done - checkStarted) / 1000).toFixed(2)}`);
} finally {
  await browser.close();
  server.kill('SIGINT');
}
