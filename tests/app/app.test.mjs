// Drives `postsafe app` as a person would, in Debian's chromium: drops photos on the page,
// waits for the check, makes each kind of decision and looks at what was written.
//
// Environment: POSTSAFE_BIN (the postsafe program), POSTSAFE_TEST_PHOTOS (a folder holding
// portrait.jpg with one face, and painting.png and card.jpg with none), POSTSAFE_SCREENSHOTS
// (where the screenshots go; a new temporary folder when unset), POSTSAFE_APP_OUT (the
// app's --out; a new temporary folder when unset, left for the caller), CHROMIUM.
//
// Prints "ok - <name>" for each case, COVERED_FILE=<path> and COVERED_AREA=<path> x y w h for
// the Rust test to check the pixels, and a closing "N passed, N failed" line. Exit code 0 when
// every case passed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const STARTUP_MS = 60_000;
// Checking three photos takes seconds; CI machines with two cores can be slow.
const CHECK_MS = 180_000;
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 900 };

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: see the top of ${path.basename(import.meta.url)}`);
    process.exit(2);
  }
  return value;
};
const BIN = need('POSTSAFE_BIN');
const PHOTOS = need('POSTSAFE_TEST_PHOTOS');
const SHOTS = process.env.POSTSAFE_SCREENSHOTS || fs.mkdtempSync(path.join(os.tmpdir(), 'postsafe-app-shots-'));
const OUT = process.env.POSTSAFE_APP_OUT || fs.mkdtempSync(path.join(os.tmpdir(), 'postsafe-app-out-'));
fs.mkdirSync(SHOTS, { recursive: true });
fs.mkdirSync(OUT, { recursive: true });

// The folder of the second batch, chosen with "Choose a folder…".
const TRIP = 'Class 4B trip';
const trip = (name) => `${TRIP}/${name}`;
const TYPES = { '.jpg': 'image/jpeg', '.png': 'image/png' };

// ---------------------------------------------------------------------------------------------
// The server and the browser

function startServer() {
  const child = spawn(BIN, ['app', '--no-browser', '--out', OUT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  child.stderr.on('data', (d) => { said += d; });
  const url = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`postsafe app printed no URL within ${STARTUP_MS} ms; it said: ${said}`)), STARTUP_MS);
    child.stdout.on('data', (d) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, nl).trim());
      }
    });
    child.on('exit', (code) => reject(new Error(`postsafe app exited (${code}) before printing its URL; it said: ${said}`)));
    child.on('error', (e) => reject(new Error(`cannot start ${BIN}: ${e.message}`)));
  });
  return { child, url, said: () => said };
}

async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.pid === undefined) return;
  const exited = new Promise((ok) => server.child.on('exit', ok));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const ctx = {}; // what the cases share: page, origin, batches…

function photoFile(name) {
  const file = path.join(PHOTOS, name);
  assert.ok(fs.existsSync(file), `test photo ${file} is missing (POSTSAFE_TEST_PHOTOS)`);
  return { name, type: TYPES[path.extname(name)], b64: fs.readFileSync(file).toString('base64') };
}

// Drops files on the drop zone as a browser does when a person drags them from a folder,
// and returns the batch the page made for them ({id, out}).
async function drop(names) {
  const { page } = ctx;
  const created = page.waitForResponse((r) => r.url().endsWith('/api/batches') && r.request().method() === 'POST');
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    const zone = document.getElementById('dropzone');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, names.map(photoFile));
  const response = await created;
  assert.equal(response.status(), 201, `POST /api/batches answered ${response.status()}: ${await response.text()}`);
  return response.json();
}

// Chooses a folder with "Choose a folder…", as a person would in the file dialog.
async function chooseFolder(dir) {
  const { page } = ctx;
  const created = page.waitForResponse((r) => r.url().endsWith('/api/batches') && r.request().method() === 'POST');
  const chooser = page.waitForEvent('filechooser');
  await page.locator('#choose-folder').click();
  await (await chooser).setFiles(dir);
  const response = await created;
  assert.equal(response.status(), 201, `POST /api/batches answered ${response.status()}: ${await response.text()}`);
  return response.json();
}

async function waitUntilChecked(count) {
  const { page } = ctx;
  await page.locator('#done-actions').waitFor({ state: 'visible', timeout: CHECK_MS });
  const bar = await page.locator('#progress').evaluate((p) => ({ value: p.value, max: p.max }));
  assert.deepEqual(bar, { value: count, max: count }, 'the progress bar ends full');
  assert.match(await page.locator('#progress-label').innerText(), new RegExp(`checked ${count} photos`),
    'the progress label says all photos were checked');
}

async function batchJson(id) {
  return ctx.page.evaluate(async (batch) => {
    const token = document.querySelector('meta[name="postsafe-token"]').content;
    const r = await fetch(`/api/batches/${batch}`, { headers: { 'X-Postsafe-Token': token } });
    return r.json();
  }, id);
}

async function photoNamed(batch, name) {
  const photo = (await batchJson(batch.id)).photos.find((p) => p.name === name);
  assert.ok(photo, `the batch lists ${name}`);
  return photo;
}

function card(list, name) {
  return ctx.page.locator(`#${list}-list > [data-name="${name}"]`);
}

// Files in a ready folder, each with what changes when it is written again (postsafe writes a
// temporary file and renames it, so a rewritten file has a new inode).
function readyFiles(out) {
  const dir = path.join(out, 'ready');
  const files = new Map();
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const s = fs.statSync(path.join(dir, name));
    if (s.isFile()) files.set(path.join(dir, name), `${s.ino}/${s.size}/${s.mtimeMs}`);
  }
  return files;
}

function changes(before, after) {
  return {
    written: [...after.keys()].filter((f) => before.get(f) !== after.get(f)),
    gone: [...before.keys()].filter((f) => !after.has(f)),
  };
}

async function waitFor(what, check, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const result = await check();
    if (result) return result;
    assert.ok(Date.now() < until, `timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// The cases

async function dropThreePhotosAndReview() {
  const { page } = ctx;
  await page.setViewportSize(WIDE);
  await page.locator('#dropzone').waitFor({ state: 'visible' });
  await page.screenshot({ path: path.join(SHOTS, 'app-drop.png') });
  ctx.first = await drop(['portrait.jpg', 'painting.png', 'card.jpg']);
  await page.locator('#progress').waitFor({ state: 'visible', timeout: 5000 });
  await waitUntilChecked(3);

  await assert.doesNotReject(card('held', 'portrait.jpg').waitFor({ timeout: 1000 }), 'portrait.jpg is under Held back');
  assert.equal(await page.locator('#held-list > li').count(), 1, 'exactly one photo is held back');
  assert.equal(await page.locator('#ready-list > li').count(), 2, 'painting.png and card.jpg are ready to post');
  assert.equal(await page.locator('#problems-list > li').count(), 0, 'no problems');
  const faces = await card('held', 'portrait.jpg').locator('.faces li').allInnerTexts();
  assert.ok(faces.length >= 1, 'the held-back photo lists its face');
  assert.match(faces[0], /^face, score (0\.\d\d|1\.00)$/, 'each face is listed with its score');
  assert.match(await card('held', 'portrait.jpg').locator('.why').innerText(), /face/, 'the reason names the face');
  assert.ok(await card('held', 'portrait.jpg').locator('img.thumb').evaluate((i) => i.complete && i.naturalWidth > 0),
    'the held-back photo has a thumbnail');
  assert.match(await page.locator('#counts').innerText(), /2 ready to post[\s\S]*1 held back/, 'the counts add up');
  assert.equal(await page.locator('#out-path').innerText(), ctx.first.out, 'the page says where the results are');

  await page.screenshot({ path: path.join(SHOTS, 'app-review.png') });
  await page.setViewportSize(NARROW);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `nothing sticks out sideways in a ${NARROW.width}-px window (by ${overflow} px)`);
  await page.screenshot({ path: path.join(SHOTS, 'app-narrow.png'), fullPage: true });
  await page.setViewportSize(WIDE);
}

async function coverTheFaces() {
  const { page, first } = ctx;
  const before = readyFiles(first.out);
  await card('held', 'portrait.jpg').locator('[data-action="cover_faces"]').click();
  await card('ready', 'portrait.jpg').waitFor({ timeout: CHECK_MS });
  assert.match(await card('ready', 'portrait.jpg').locator('.decided').innerText(), /^Decided by you at .+: covered the faces$/,
    'the card says who decided what');
  const photo = await photoNamed(first, 'portrait.jpg');
  assert.equal(photo.outcome, 'blurred', 'the photo is now posted with its faces covered');
  assert.equal(photo.decision && photo.decision.decided_by, 'person', 'the decision is recorded as a person\'s');
  assert.equal(photo.decision.action, 'cover_faces', 'the decision is to cover the faces');
  const { written, gone } = changes(before, readyFiles(first.out));
  assert.equal(written.length, 1, `one file is written to ${first.out}/ready (written: ${written}, gone: ${gone})`);
  assert.equal(gone.length, 0, 'nothing else leaves the ready folder');
  console.log(`COVERED_FILE=${written[0]}`);
  assert.equal(await page.locator('#held-list > li').count(), 0, 'nothing is held back any more');

  const download = page.waitForEvent('download');
  await page.locator('#download-ready').click();
  const zip = fs.readFileSync(await (await download).path());
  assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'the download is a zip file');
  // The entry count of a zip without a comment is in its last 22 bytes, the end record.
  const entries = zip.readUInt16LE(zip.length - 22 + 10);
  assert.equal(entries, readyFiles(first.out).size, 'the zip holds every photo in the ready folder');
}

async function postAnywayAfterConfirming() {
  const { page } = ctx;
  await page.locator('#start-over').click();
  await page.locator('#dropzone').waitFor({ state: 'visible' });
  // This time a folder, whose name the page keeps with each photo's.
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'postsafe-app-photos-')), TRIP);
  fs.mkdirSync(folder);
  for (const name of ['portrait.jpg', 'painting.png', 'card.jpg']) fs.copyFileSync(path.join(PHOTOS, name), path.join(folder, name));
  ctx.second = await chooseFolder(folder);
  await waitUntilChecked(3);
  fs.rmSync(path.dirname(folder), { recursive: true });
  const { second } = ctx;
  assert.equal(await card('held', trip('portrait.jpg')).locator('.folder').innerText(), `${TRIP}/`,
    'each photo is shown with its folder');
  assert.notEqual(second.out, ctx.first.out, 'a second batch gets its own results folder, so it cannot overwrite the first');
  const dialog = page.locator('#post-dialog');
  const postAnyway = card('held', trip('portrait.jpg')).locator('[data-action="post_anyway"]');

  await postAnyway.click();
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), /You have looked at this photo and see no child's face in it/, 'the dialog asks for the check');
  assert.ok(await dialog.evaluate((d) => d.open && d.matches(':modal') && d.contains(document.activeElement)),
    'the dialog is modal and has the keyboard focus');
  await page.locator('#post-cancel').click();
  await dialog.waitFor({ state: 'hidden' });
  await waitFor('the focus to go back to "Post anyway…" after cancelling', () => postAnyway.evaluate((b) => b === document.activeElement));
  assert.equal(await card('held', trip('portrait.jpg')).count(), 1, 'cancelling leaves the photo held back');
  let photo = await photoNamed(second, trip('portrait.jpg'));
  assert.equal(photo.outcome, 'held_back', 'cancelling sends nothing: the photo is still held back');
  assert.equal(photo.decision, null, 'cancelling records no decision');

  await postAnyway.click();
  await dialog.waitFor({ state: 'visible' });
  const sent = page.waitForRequest((r) => r.url().endsWith(`/api/photos/${photo.id}/decision`));
  await page.locator('#post-confirm').click();
  assert.deepEqual(JSON.parse((await sent).postData()), { action: 'post_anyway', confirmed: true }, 'the confirmation is sent');
  await card('ready', trip('portrait.jpg')).waitFor({ timeout: CHECK_MS });
  photo = await photoNamed(second, trip('portrait.jpg'));
  assert.equal(photo.outcome, 'ready', 'the photo is posted');
  assert.equal(photo.decision.decided_by, 'person', 'by a person');
  assert.equal(photo.decision.action, 'post_anyway', 'who posted it anyway');
  const at = Date.parse(photo.decision.at);
  assert.ok(Math.abs(Date.now() - at) < 10 * 60_000, `the decision has the time it was made (${photo.decision.at})`);
  assert.match(await card('ready', trip('portrait.jpg')).locator('.decided').innerText(), /^Decided by you at \d{1,2}:\d\d.*: posted anyway$/,
    'the card shows the time of the decision');
}

async function coverAnArea() {
  const { page, second } = ctx;
  const photo = await photoNamed(second, trip('card.jpg'));
  const before = readyFiles(second.out);
  await card('ready', trip('card.jpg')).locator('[data-action="cover_areas"]').click();
  const dialog = page.locator('#area-dialog');
  await dialog.waitFor({ state: 'visible' });
  const img = page.locator('#area-img');
  await waitFor('the picture to load in the dialog', () => img.evaluate((i) => i.complete && i.naturalWidth > 0));
  const box = await img.boundingBox();
  const from = { x: 0.2, y: 0.25 };
  const to = { x: 0.6, y: 0.7 };
  await page.mouse.move(box.x + from.x * box.width, box.y + from.y * box.height);
  await page.mouse.down();
  await page.mouse.move(box.x + to.x * box.width, box.y + to.y * box.height, { steps: 8 });
  await page.mouse.up();
  assert.equal(await page.locator('#area-list li').count(), 1, 'the drawn area is listed');
  const sent = page.waitForRequest((r) => r.url().endsWith(`/api/photos/${photo.id}/decision`));
  await page.locator('#area-submit').click();
  const body = JSON.parse((await sent).postData());
  await dialog.waitFor({ state: 'hidden', timeout: CHECK_MS });
  assert.equal(body.action, 'cover_areas', 'the decision is to cover areas');
  assert.equal(body.areas.length, 1, 'one area is sent');
  const area = body.areas[0];
  // The drag's corners in the original photo's pixels; one displayed pixel of slack each way.
  const slack = photo.width / box.width + 1;
  const expected = {
    x: from.x * photo.width, y: from.y * photo.height,
    w: (to.x - from.x) * photo.width, h: (to.y - from.y) * photo.height,
  };
  for (const k of ['x', 'y', 'w', 'h']) {
    assert.ok(Number.isInteger(area[k]), `area.${k} is a whole number of pixels`);
    assert.ok(Math.abs(area[k] - expected[k]) <= 2 * slack,
      `area.${k} is in the original photo's pixels: sent ${area[k]}, drawn ${expected[k].toFixed(1)} (photo ${photo.width}×${photo.height}, shown ${box.width}×${box.height})`);
  }
  await waitFor('the focus to go to the card after the dialog closes',
    () => card('ready', trip('card.jpg')).evaluate((c) => c === document.activeElement));
  await card('ready', trip('card.jpg')).locator('.decided').waitFor();
  assert.match(await card('ready', trip('card.jpg')).locator('.decided').innerText(), /: covered 1 area$/, 'the card says an area was covered');
  const decided = await photoNamed(second, trip('card.jpg'));
  assert.equal(decided.decision.action, 'cover_areas', 'the batch records the covered area');
  assert.equal(decided.decision.areas.length, 1, 'one area');
  const { written } = changes(before, readyFiles(second.out));
  assert.equal(written.length, 1, `the covered copy is written to ${second.out}/ready (written: ${written})`);
  console.log(`COVERED_AREA=${written[0]} ${area.x} ${area.y} ${area.w} ${area.h}`);
}

async function holdBack() {
  const { page, second } = ctx;
  const before = readyFiles(second.out);
  await card('ready', trip('painting.png')).locator('[data-action="hold"]').click();
  await card('held', trip('painting.png')).waitFor({ timeout: CHECK_MS });
  const photo = await photoNamed(second, trip('painting.png'));
  assert.equal(photo.outcome, 'held_back', 'the photo is held back');
  assert.equal(photo.decision.action, 'hold', 'by a person\'s decision');
  const { written, gone } = changes(before, readyFiles(second.out));
  assert.equal(gone.length, 1, `its copy leaves ${second.out}/ready (gone: ${gone})`);
  assert.equal(written.length, 0, `nothing is written instead (written: ${written})`);
  assert.match(await page.locator('#counts').innerText(), /1 held back/, 'the counts follow');
}

async function security() {
  const { page, origin, second } = ctx;
  const status = await page.evaluate(async (batch) => {
    const post = await fetch('/api/batches', {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ faces: 'hold', names: null }),
    });
    const get = await fetch(`/api/batches/${batch}`, { credentials: 'omit' });
    return { post: post.status, get: get.status };
  }, second.id);
  assert.deepEqual(status, { post: 403, get: 403 }, 'requests without the token or the cookie are refused');

  const token = await page.evaluate(() => document.querySelector('meta[name="postsafe-token"]').content);
  const url = new URL(origin);
  const refused = await new Promise((ok, fail) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: `/api/batches/${second.id}`, method: 'GET',
      headers: { Host: 'evil.example', 'X-Postsafe-Token': token },
    }, (res) => { res.resume(); ok(res.statusCode); });
    req.on('error', fail);
    req.end();
  });
  assert.ok([403, 421].includes(refused), `a request naming another host (DNS rebinding) is refused, answered ${refused}`);

  const elsewhere = ctx.requests.filter((u) => new URL(u).origin !== origin);
  assert.ok(ctx.requests.length > 10, 'the page\'s requests were recorded');
  assert.deepEqual(elsewhere, [], `the page asks nothing of any server but postsafe's own (${origin})`);
}

// Every element Tab reaches, in order, with whether its focus can be seen.
async function tabThrough() {
  const { page } = ctx;
  // A click on the title moves the point Tab goes on from to the top of the page.
  await page.locator('h1').click();
  const reached = [];
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return null;
      const s = getComputedStyle(a);
      const card = a.closest('[data-photo-id]');
      return {
        key: a.id || `${card ? card.dataset.name : ''}/${a.dataset.action || a.tagName}`,
        visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
      };
    });
    if (!el) break; // past the last control
    reached.push(el);
  }
  return reached;
}

async function keyboard() {
  const { page } = ctx;
  const decisions = await page.locator('.decisions button').evaluateAll((bs) =>
    bs.map((b) => `${b.closest('[data-photo-id]').dataset.name}/${b.dataset.action}`));
  for (const want of [`${trip('card.jpg')}/cover_areas`, `${trip('portrait.jpg')}/hold`, `${trip('painting.png')}/post_anyway`]) {
    assert.ok(decisions.includes(want), `the cards offer ${want} (they offer ${decisions})`);
  }
  let reached = await tabThrough();
  const keys = reached.map((r) => r.key);
  for (const want of [...decisions, 'open-ready', 'download-ready', 'start-over']) {
    assert.ok(keys.includes(want), `Tab reaches ${want} (reached: ${keys.join(', ')})`);
  }
  const unseen = reached.filter((r) => !r.visible).map((r) => r.key);
  assert.deepEqual(unseen, [], 'every control shows a focus outline');

  // Drawing an area without a mouse, then leaving with Escape.
  const coverArea = card('ready', trip('portrait.jpg')).locator('[data-action="cover_areas"]');
  await coverArea.focus();
  await page.keyboard.press('Enter');
  await page.locator('#area-dialog').waitFor({ state: 'visible' });
  assert.ok(await page.locator('#area-stage').evaluate((s) => s === document.activeElement),
    'the picture has the focus when the area dialog opens');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  assert.ok(await page.locator('#area-cursor').isVisible(), 'the keyboard box is shown');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#area-list li').count(), 1, 'Enter adds the keyboard box as an area');
  assert.ok(await page.locator('#area-submit').isEnabled(), '"Cover and post" can be pressed once there is an area');
  await page.keyboard.press('Escape');
  await page.locator('#area-dialog').waitFor({ state: 'hidden' });
  await waitFor('Escape to give the focus back to "Cover an area…"', () => coverArea.evaluate((b) => b === document.activeElement));
  assert.match(await card('ready', trip('portrait.jpg')).locator('.decided').innerText(), /posted anyway$/,
    'leaving the dialog sends nothing');

  await page.locator('#start-over').focus();
  await page.keyboard.press('Enter');
  await page.locator('#dropzone').waitFor({ state: 'visible' });
  reached = await tabThrough();
  const startKeys = reached.map((r) => r.key);
  for (const want of ['choose-photos', 'choose-folder', 'choose-names']) {
    assert.ok(startKeys.includes(want), `Tab reaches ${want} on the start page (reached: ${startKeys.join(', ')})`);
  }
  assert.ok(startKeys.some((k) => k.endsWith('/INPUT')), 'Tab reaches the choice of what to do with faces');
  assert.deepEqual(reached.filter((r) => !r.visible).map((r) => r.key), [], 'every control on the start page shows a focus outline');
}

async function uncertainFirst() {
  const { page } = ctx;
  await page.locator('#dropzone').waitFor({ state: 'visible' });
  await drop(['portrait.jpg', 'cartoon.jpg']);
  await waitUntilChecked(2);
  const held = await page.locator('#held-list > li').evaluateAll((cards) => cards.map((c) => c.dataset.name));
  assert.deepEqual(held, ['cartoon.jpg', 'portrait.jpg'], 'both are held back, the less certain one first though dropped last');
  assert.match(await card('held', 'cartoon.jpg').locator('.look').innerText(), /^Look closely: the faces look drawn/,
    'the cartoon says its faces look drawn');
  assert.equal(await card('held', 'portrait.jpg').locator('.look').count(), 0, 'the portrait is a sure decision');
  await card('held', 'cartoon.jpg').screenshot({ path: path.join(SHOTS, 'app-drawn.png') });
}

const CASES = [
  ['drop three photos: progress, one held back with its face and score, screenshots', dropThreePhotosAndReview],
  ['"Cover the faces and post" moves the photo to ready and writes a covered copy; the zip has it', coverTheFaces],
  ['"Post anyway" asks first: cancel keeps it held back, confirming posts it with a time', postAnywayAfterConfirming],
  ['"Cover an area…": an area drawn with the mouse is sent in the photo\'s own pixels', coverAnArea],
  ['"Hold back" takes a ready photo out of the ready folder', holdBack],
  ['security: no token, no cookie or another host is refused; nothing is fetched from elsewhere', security],
  ['keyboard: Tab reaches every control with a visible focus; an area can be drawn with keys', keyboard],
  ['a photo the check is less sure of comes first and says why: a cartoon\'s faces look drawn', uncertainFirst],
];

async function main() {
  const server = startServer();
  let browser;
  let passed = 0;
  let failed = 0;
  try {
    const url = await server.url;
    ctx.origin = new URL(url).origin;
    console.log(`# postsafe app at ${ctx.origin}, results in ${OUT}, screenshots in ${SHOTS}`);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
        '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: WIDE });
    ctx.page = await context.newPage();
    ctx.requests = [];
    ctx.errors = [];
    ctx.page.on('request', (r) => ctx.requests.push(r.url()));
    ctx.page.on('pageerror', (e) => ctx.errors.push(e.message));
    const response = await ctx.page.goto(url);
    assert.equal(response.status(), 200, `the page loads (${response.status()})`);
    for (const [name, run] of CASES) {
      try {
        await run();
        assert.deepEqual(ctx.errors.splice(0), [], 'the page\'s script raised no error');
        console.log(`ok - ${name}`);
        passed++;
      } catch (e) {
        console.log(`not ok - ${name}\n  ${String(e.message).split('\n').join('\n  ')}`);
        failed++;
        // The cases build on each other: after one fails the rest would only fail in its wake.
        break;
      }
    }
  } catch (e) {
    console.log(`not ok - start postsafe app and the browser\n  ${e.message}`);
    failed++;
  } finally {
    if (browser) await browser.close();
    await stopServer(server);
  }
  if (failed) console.log(`# postsafe app said:\n${server.said()}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed || passed < CASES.length ? 1 : 0);
}

await main();
