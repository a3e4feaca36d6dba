// The page of `postsafe app`: photos are dropped or chosen here, sent one by one to the
// postsafe program on this computer (which checks them as they arrive), and reviewed.
// Nothing leaves the computer: every request goes to the server that served this page.
'use strict';

const TOKEN = document.querySelector('meta[name="postsafe-token"]').content;
const UPLOADS_AT_ONCE = 3;
const POLL_MS = 700;
const ALIVE_MS = 10000;
// Progress is announced at most this often, so a screen reader is not talked over.
const ANNOUNCE_EVERY_MS = 5000;
const CLASS_LIST_MAX_BYTES = 1024 * 1024;
// Step of the keyboard box in the area dialog, as a share of the picture's side.
const KEY_STEP = 0.02;
// A drag smaller than this share of the picture is taken as a click, not an area.
const MIN_AREA = 0.01;
const SECTION_OF = { ready: 'ready', blurred: 'ready', held_back: 'held', error: 'problems', skipped: 'problems' };
const SECTION_TITLE = { ready: 'Ready to post', held: 'Held back', problems: 'Problems' };

const $ = (id) => document.getElementById(id);

let run = null;        // the batch being checked or reviewed; see startBatch
let starting = false;  // between a drop and the batch's creation, so a second drop is not a second batch
let stopped = false;   // postsafe has gone or refused this page: nothing more can be done here
let classList = null;  // {fileName, text}

// ---------------------------------------------------------------------------------------------
// Talking to postsafe

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const init = { method, headers: { 'X-Postsafe-Token': TOKEN } };
  if (body instanceof Blob) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    stop('postsafe is not answering, so this page cannot go on. Start postsafe again to carry on; '
      + 'the photos already in the ready folder stay there.');
    throw new ApiError(0, 'postsafe did not answer');
  }
  if (res.status === 403) {
    stop('This page belongs to an earlier start of postsafe. Close it and start postsafe again.');
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `postsafe answered ${res.status}`);
  return data;
}

function stop(message) {
  if (stopped) return;
  stopped = true;
  $('fatal').textContent = message;
  $('fatal').hidden = false;
}

function announce(message) {
  const region = $('announce');
  region.textContent = '';
  // A fresh text node after a tick is read even when it repeats the last message.
  setTimeout(() => { region.textContent = message; }, 50);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function splitName(name) {
  const cut = name.lastIndexOf('/');
  return { folder: cut < 0 ? '' : name.slice(0, cut + 1), base: name.slice(cut + 1) };
}

function timeOf(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

// ---------------------------------------------------------------------------------------------
// Start: options, class list, photos

function faceChoice() {
  return document.querySelector('input[name="faces"]:checked').value;
}

async function useClassList(file) {
  const error = $('names-error');
  error.hidden = true;
  if (file.size > CLASS_LIST_MAX_BYTES) {
    error.textContent = `${file.name} is too large to be a class list. Choose a .txt file with one name per line.`;
    error.hidden = false;
    return;
  }
  classList = { fileName: file.name, text: await file.text() };
  $('names-file').textContent = file.name;
  $('names-empty').hidden = true;
  $('names-chosen').hidden = false;
  announce(`Class list ${file.name} will be used.`);
}

function dropClassList() {
  classList = null;
  $('names-chosen').hidden = true;
  $('names-empty').hidden = false;
  $('names-error').hidden = true;
  $('choose-names').focus();
  announce('No class list will be used.');
}

// Entries must be taken while the drop event is being handled: the browser empties the
// DataTransfer afterwards. A DataTransfer made by a script has no entries, only files.
function droppedItems(dataTransfer) {
  return [...dataTransfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => ({ entry: item.webkitGetAsEntry ? item.webkitGetAsEntry() : null, file: item.getAsFile() }));
}

async function filesOf(items) {
  const found = [];
  for (const { entry, file } of items) {
    if (entry) await walk(entry, found);
    else if (file) found.push({ file, name: file.name });
  }
  return found;
}

async function walk(entry, found) {
  const name = entry.fullPath.replace(/^\/+/, '');
  if (entry.isFile) {
    try {
      found.push({ file: await new Promise((ok, fail) => entry.file(ok, fail)), name });
    } catch {
      found.push({ name, error: 'could not be read from this computer. Check that it opens, then add it again.' });
    }
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    // readEntries hands over a folder's entries a hundred or so at a time.
    for (;;) {
      const some = await new Promise((ok, fail) => reader.readEntries(ok, fail));
      if (!some.length) break;
      for (const child of some) await walk(child, found);
    }
  }
}

function isClassListDrop(items) {
  return items.length === 1 && items[0].file && /\.txt$/i.test(items[0].file.name)
    && !(items[0].entry && items[0].entry.isDirectory);
}

async function photosAdded(found) {
  if (starting || run) return;
  $('drop-error').hidden = true;
  if (!found.length) {
    $('drop-error').textContent = 'No files were found in what you added. Try again with photos or a folder of photos.';
    $('drop-error').hidden = false;
    return;
  }
  starting = true;
  try {
    await startBatch(found);
  } finally {
    starting = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Checking: one batch, its uploads and the polling that shows each photo as it is done

async function startBatch(found) {
  found.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  let batch;
  try {
    batch = await api('POST', '/api/batches', { faces: faceChoice(), names: classList ? classList.text : null });
  } catch (e) {
    const where = classList && e.status === 400 ? $('names-error') : $('drop-error');
    where.textContent = e.message;
    where.hidden = false;
    return;
  }
  run = {
    id: batch.id,
    total: found.length,
    photos: new Map(),   // id → the server's Photo, or a local one for a file that was never taken
    seq: new Map(),      // id → place in arrival order, which orders the cards
    editedAt: new Map(), // id → `edits` when a decision's answer came, so older polls leave it be
    edits: 0,
    passedOver: 0,
    uploadsDone: false,
    done: false,
    lastAnnounced: 0,
  };
  $('out-path').textContent = batch.out;
  $('download-ready').href = `/api/batches/${encodeURIComponent(batch.id)}/ready.zip`;
  $('start').hidden = true;
  $('results').hidden = false;
  $('progress-section').hidden = false;
  $('review').hidden = false;
  renderProgress();
  renderCounts();
  $('progress-title').focus();
  announce(`Checking ${plural(found.length, 'photo')}.`);
  const thisRun = run;
  await Promise.all([upload(thisRun, found), poll(thisRun)]);
}

async function upload(thisRun, found) {
  let next = 0;
  let refused = null; // once postsafe says the batch is full, the rest are not sent
  const worker = async () => {
    while (next < found.length && !stopped) {
      const index = next++;
      const { file, name, error } = found[index];
      if (error || refused) {
        addLocalProblem(thisRun, index, name, error || refused);
        continue;
      }
      try {
        const path = `/api/batches/${encodeURIComponent(thisRun.id)}/photos?name=${encodeURIComponent(name)}`;
        // No answer body: postsafe passed the file over (one that computers make, like Thumbs.db).
        if ((await api('PUT', path, file)) === null) thisRun.passedOver++;
      } catch (e) {
        if (e.status === 429) refused = e.message;
        addLocalProblem(thisRun, index, name, e.message);
      }
    }
  };
  await Promise.all(Array.from({ length: UPLOADS_AT_ONCE }, worker));
  // postsafe checks the photos together, as its command line does, once they are all there.
  if (!stopped) {
    try {
      await api('POST', `/api/batches/${encodeURIComponent(thisRun.id)}/start`);
    } catch (e) {
      stop(`postsafe could not start checking: ${e.message}`);
    }
  }
  thisRun.uploadsDone = true;
}

function addLocalProblem(thisRun, index, name, error) {
  const id = `upload-${index}`;
  // After every photo postsafe took, in the order they were added.
  thisRun.seq.set(id, 1e9 + index);
  const photo = {
    id, name, state: 'done', outcome: 'error', reason: null, error, faces: [], text_boxes: [],
    width: null, height: null, removed: [], warnings: [], uncertainty: null,
    copy: null, decision: null, thumb: null, view: null,
  };
  thisRun.photos.set(id, photo);
  if (thisRun === run) {
    renderCard(photo);
    renderCounts();
    renderProgress();
  }
}

async function poll(thisRun) {
  while (!stopped && thisRun === run) {
    const edits = thisRun.edits;
    // Read before asking: an answer sent before the last upload was taken may lack it.
    const uploadsWereDone = thisRun.uploadsDone;
    let batch;
    try {
      batch = await api('GET', `/api/batches/${encodeURIComponent(thisRun.id)}`);
    } catch {
      if (stopped) return;
      await sleep(POLL_MS * 3);
      continue;
    }
    if (thisRun !== run) return;
    for (const photo of batch.photos) {
      if (!thisRun.seq.has(photo.id)) thisRun.seq.set(photo.id, thisRun.seq.size);
      if ((thisRun.editedAt.get(photo.id) || 0) > edits) continue;
      const before = thisRun.photos.get(photo.id);
      thisRun.photos.set(photo.id, photo);
      if (photo.state === 'done' && JSON.stringify(before) !== JSON.stringify(photo)) renderCard(photo);
    }
    renderCounts();
    renderProgress();
    if (uploadsWereDone && batch.photos.every((p) => p.state === 'done')) {
      finish(thisRun);
      return;
    }
    await sleep(POLL_MS);
  }
}

function sleep(ms) {
  return new Promise((ok) => setTimeout(ok, ms));
}

function checkedCount(thisRun) {
  let n = 0;
  for (const p of thisRun.photos.values()) if (p.state === 'done') n++;
  return n;
}

function renderProgress() {
  const total = run.total - run.passedOver;
  const checked = checkedCount(run);
  const bar = $('progress');
  bar.max = Math.max(total, 1);
  bar.value = checked;
  $('progress-label').textContent = run.done
    ? `Done: checked ${plural(checked, 'photo')}.`
    : `Checked ${checked} of ${plural(total, 'photo')}…`;
  const now = Date.now();
  if (!run.done && now - run.lastAnnounced > ANNOUNCE_EVERY_MS) {
    run.lastAnnounced = now;
    if (checked > 0) announce(`Checked ${checked} of ${total}.`);
  }
}

function tally() {
  const t = { ready: 0, blurred: 0, held_back: 0, error: 0, skipped: 0 };
  for (const p of run.photos.values()) if (p.state === 'done') t[p.outcome]++;
  return t;
}

function renderCounts() {
  const t = tally();
  const covered = t.blurred ? ` (${t.blurred} with faces covered)` : '';
  const pill = (n, cls, anchor, words) =>
    h('li', {}, h('a', { class: n ? cls : 'none', href: `#${anchor}` }, `${n} ${words}`));
  $('counts').replaceChildren(
    pill(t.ready + t.blurred, 'ready', 'ready', `ready to post${covered}`),
    pill(t.held_back, 'held', 'held', 'held back'),
    pill(t.error, 'problem', 'problems', t.error === 1 ? 'error' : 'errors'),
    pill(t.skipped, 'skipped', 'problems', 'skipped'),
  );
  renderHints();
}

function renderHints() {
  const filled = (list) => $(list).children.length > 0;
  const hint = (id, list, some, none) => {
    $(id).textContent = filled(list) ? some : run.done ? none : 'None yet.';
  };
  hint('ready-hint', 'ready-list',
    'These copies are in the ready folder, without GPS, dates or names. Look them over before posting: '
    + 'select a picture to see it larger.',
    'No photo is ready to post.');
  hint('held-hint', 'held-list',
    'Not copied; your photos are untouched. Each face found is boxed, with the detector\'s score '
    + 'beside its colour (1 is certain).',
    'Nothing was held back.');
  hint('problems-hint', 'problems-list',
    'None of these was copied. What to do is under each one.',
    'No problems: every file was a photo and was checked.');
}

function finish(thisRun) {
  thisRun.done = true;
  $('progress-title').textContent = 'Photos checked';
  renderProgress();
  renderCounts();
  $('done-actions').hidden = false;
  const t = tally();
  const problems = t.error + t.skipped;
  announce(`Done. ${t.ready + t.blurred} ready to post, ${t.held_back} held back, `
    + `${problems ? plural(problems, 'problem') : 'no problems'}.`);
}

// ---------------------------------------------------------------------------------------------
// The cards

function sortKey(photo) {
  return [photo.uncertainty ? 0 : 1, run.seq.get(photo.id)];
}

function before(a, b) {
  return a[0] - b[0] || a[1] - b[1];
}

// Puts the photo's card in its section, in place of its old one, keeping the keyboard
// focus on the same control when it is still there.
function renderCard(photo) {
  const old = $(`card-${photo.id}`);
  const focused = old && old.contains(document.activeElement) ? document.activeElement : null;
  const focusedAction = focused && focused.dataset.action;
  const el = SECTION_OF[photo.outcome] === 'problems' ? problemEntry(photo) : card(photo);
  const list = $(`${SECTION_OF[photo.outcome]}-list`);
  const key = sortKey(photo);
  el.dataset.sort = JSON.stringify(key);
  if (old && old.parentElement === list) {
    old.replaceWith(el);
  } else {
    if (old) old.remove();
    const after = [...list.children].find((c) => before(key, JSON.parse(c.dataset.sort)) < 0);
    list.insertBefore(el, after || null);
  }
  if (focused) (el.querySelector(`[data-action="${focusedAction}"]`) || el).focus();
  return el;
}

function nameLine(photo) {
  const { folder, base } = splitName(photo.name);
  return h('p', { class: 'name', id: `name-${photo.id}` }, folder ? h('span', { class: 'folder' }, folder) : null, base);
}

function picture(photo) {
  const { base } = splitName(photo.name);
  if (!photo.thumb) {
    return h('div', { class: 'blank' }, photo.outcome === 'held_back'
      ? 'not opened: held back before its picture was looked at'
      : 'no picture');
  }
  const held = photo.outcome === 'held_back';
  const img = h('img', {
    class: 'thumb',
    src: photo.thumb,
    alt: held ? `${base}, with each face found boxed` : `${base}, as it will be posted`,
  });
  if (!photo.view) return h('div', { class: 'thumb-link' }, img);
  return h('a', {
    class: 'thumb-link', href: photo.view, target: '_blank', rel: 'noopener',
    title: 'See it larger (opens in a new tab)',
  }, img);
}

function decisionWords(decision) {
  switch (decision.action) {
    case 'cover_faces': return 'covered the faces';
    case 'post_anyway': return 'posted anyway';
    case 'hold': return 'held back';
    case 'cover_areas': return `covered ${plural(decision.areas.length, 'area')}`;
    default: return decision.action;
  }
}

function card(photo) {
  const held = photo.outcome === 'held_back';
  const decided = photo.decision && photo.decision.decided_by === 'person' ? photo.decision : null;
  const button = (action, label, cls) => h('button', {
    type: 'button', class: cls, dataset: { action }, 'aria-describedby': `name-${photo.id}`,
    onclick: (e) => act(photo, action, e.currentTarget),
  }, label);
  let buttons;
  if (held) {
    const cover = photo.faces.length ? 'Cover the faces and post'
      : photo.text_boxes.length ? 'Cover the names and post' : null;
    buttons = [
      cover && button('cover_faces', cover, 'primary'),
      button('post_anyway', 'Post anyway…', 'danger'),
      !(decided && decided.action === 'hold') && button('hold', 'Keep held back'),
    ];
  } else {
    buttons = [
      button('hold', 'Hold back'),
      photo.view && photo.width && photo.height && button('cover_areas', 'Cover an area…'),
    ];
  }
  return h('li', {
    class: `card${photo.uncertainty ? ' uncertain' : ''}`,
    id: `card-${photo.id}`,
    tabindex: '-1',
    'aria-labelledby': `name-${photo.id}`,
    dataset: { photoId: photo.id, name: photo.name, outcome: photo.outcome },
  },
  picture(photo),
  nameLine(photo),
  photo.uncertainty && h('p', { class: 'look' }, h('strong', {}, 'Look closely: '), photo.uncertainty),
  held && h('p', { class: 'why' }, photo.reason || 'held back'),
  held && photo.faces.length > 0 && h('ul', { class: 'faces', 'aria-label': 'Faces found' },
    photo.faces.map((face) => {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      // The colour of this face's box in the thumbnail, which postsafe drew.
      swatch.style.background = face.colour;
      return h('li', { class: 'face' }, swatch, `face, score ${face.score.toFixed(2)}`);
    })),
  photo.outcome === 'blurred' && !decided && h('p', { class: 'note covered' }, `${plural(photo.faces.length, 'face')} covered`),
  !held && photo.removed.length > 0 && h('p', { class: 'note' }, `removed: ${photo.removed.join(', ')}`),
  photo.warnings.map((w) => h('p', { class: 'note' }, `note: ${w}`)),
  decided && h('p', { class: 'decided' }, `Decided by you at ${timeOf(decided.at)}: ${decisionWords(decided)}`),
  h('p', { class: 'error card-error', role: 'alert', hidden: true }),
  h('div', { class: 'decisions', role: 'group', 'aria-label': 'Decide' }, buttons));
}

function problemEntry(photo) {
  const todo = photo.outcome === 'skipped'
    ? 'Nothing to do unless it is a photo: then save it as JPEG or PNG and add it again.'
    : null;
  return h('li', {
    class: 'problem',
    id: `card-${photo.id}`,
    dataset: { photoId: photo.id, name: photo.name, outcome: photo.outcome },
  },
  nameLine(photo),
  h('p', { class: 'todo' }, photo.error || photo.reason || 'unknown problem'),
  todo && h('p', { class: 'todo' }, todo));
}

// ---------------------------------------------------------------------------------------------
// Decisions

async function act(photo, action, opener) {
  const current = run.photos.get(photo.id);
  if (action === 'post_anyway') {
    askPostAnyway(current, opener);
  } else if (action === 'cover_areas') {
    openAreaDialog(current, opener);
  } else {
    const { next } = await decide(current, { action });
    if (next) next.focus();
  }
}

// Sends a decision; on success the card is redrawn where it now belongs. Returns {error}, or
// {next}: where the keyboard focus should go once any dialog is closed (focus cannot leave an
// open modal dialog).
async function decide(photo, body) {
  const old = $(`card-${photo.id}`);
  const buttons = old.querySelectorAll('.decisions button');
  old.setAttribute('aria-busy', 'true');
  buttons.forEach((b) => { b.disabled = true; });
  let updated;
  try {
    updated = await api('POST', `/api/photos/${encodeURIComponent(photo.id)}/decision`, body);
  } catch (e) {
    old.removeAttribute('aria-busy');
    buttons.forEach((b) => { b.disabled = false; });
    const error = old.querySelector('.card-error');
    error.textContent = e.message;
    error.hidden = false;
    return { error: e.message, next: old.querySelector(`[data-action="${body.action}"]`) };
  }
  run.editedAt.set(photo.id, ++run.edits);
  run.photos.set(updated.id, updated);
  const from = SECTION_OF[photo.outcome];
  const to = SECTION_OF[updated.outcome];
  // Where the keyboard goes on from: the next card of the list this one leaves.
  const neighbour = from !== to ? (old.nextElementSibling || old.previousElementSibling) : null;
  const el = renderCard(updated);
  renderCounts();
  const { base } = splitName(updated.name);
  const words = updated.decision ? decisionWords(updated.decision) : 'done';
  if (from !== to) {
    announce(`${base}: ${words}. It is now under ${SECTION_TITLE[to]}.`);
    return { next: neighbour || el };
  }
  announce(`${base}: ${words}.`);
  return { next: el };
}

let postPhoto = null;
let postOpener = null;

function askPostAnyway(photo, opener) {
  postPhoto = photo;
  postOpener = opener;
  const { base } = splitName(photo.name);
  $('post-title').textContent = `Post ${base} anyway?`;
  $('post-reason').textContent = `Held back: ${photo.reason || 'no reason given'}.`;
  const img = $('post-img');
  img.hidden = !(photo.view || photo.thumb);
  if (!img.hidden) {
    img.src = photo.view || photo.thumb;
    img.alt = `${base}, larger`;
  }
  $('post-dialog').showModal();
}

function setUpPostDialog() {
  const dialog = $('post-dialog');
  $('post-cancel').addEventListener('click', () => dialog.close());
  $('post-confirm').addEventListener('click', async () => {
    const photo = postPhoto;
    postOpener = null; // the decision's answer says where the focus goes
    dialog.close();
    const { next } = await decide(photo, { action: 'post_anyway', confirmed: true });
    if (next) next.focus();
  });
  dialog.addEventListener('close', () => {
    if (postOpener && postOpener.isConnected) postOpener.focus();
    postPhoto = null;
    postOpener = null;
  });
}

// The area dialog keeps areas as shares (0–1) of the picture, so they stay put when the window
// is resized, and turns them into the original photo's pixels only when they are sent.
const areas = { photo: null, opener: null, list: [], cursor: null, drag: null };

function openAreaDialog(photo, opener) {
  const { base } = splitName(photo.name);
  Object.assign(areas, { photo, opener, list: [], cursor: { x: 0.4, y: 0.4, w: 0.2, h: 0.2 }, drag: null });
  $('area-title').textContent = `Cover an area of ${base}`;
  $('area-img').src = photo.view;
  $('area-stage').setAttribute('aria-label', `Picture of ${base}`);
  $('area-error').hidden = true;
  $('area-cursor').hidden = true;
  renderAreas();
  $('area-dialog').showModal();
}

function place(el, r) {
  el.style.left = `${r.x * 100}%`;
  el.style.top = `${r.y * 100}%`;
  el.style.width = `${r.w * 100}%`;
  el.style.height = `${r.h * 100}%`;
}

function renderAreas() {
  const stage = $('area-stage');
  stage.querySelectorAll('.area:not(.cursor)').forEach((el) => el.remove());
  areas.list.forEach((r, i) => {
    const el = h('div', { class: 'area', 'aria-hidden': 'true' }, String(i + 1));
    place(el, r);
    stage.append(el);
  });
  $('area-list').replaceChildren(...areas.list.map((r, i) => h('li', {},
    `Area ${i + 1}`,
    h('button', { type: 'button', 'aria-label': `Remove area ${i + 1}`, onclick: () => removeArea(i) }, 'Remove'))));
  const n = areas.list.length;
  $('area-count').textContent = n ? `${plural(n, 'area')} to cover.` : 'No area chosen yet.';
  $('area-submit').disabled = n === 0;
  place($('area-cursor'), areas.cursor);
}

function addArea(r) {
  areas.list.push({ ...r });
  renderAreas();
}

function removeArea(i) {
  areas.list.splice(i, 1);
  renderAreas();
  const buttons = $('area-list').querySelectorAll('button');
  (buttons[Math.min(i, buttons.length - 1)] || $('area-stage')).focus();
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

function shareAt(event) {
  const r = $('area-img').getBoundingClientRect();
  return { x: clamp((event.clientX - r.left) / r.width, 0, 1), y: clamp((event.clientY - r.top) / r.height, 0, 1) };
}

function dragRect(drag, at) {
  return {
    x: Math.min(drag.x, at.x), y: Math.min(drag.y, at.y),
    w: Math.abs(at.x - drag.x), h: Math.abs(at.y - drag.y),
  };
}

// Rounds outwards, so the covered area is never smaller than the one drawn.
function toPixels(r, width, height) {
  const x0 = clamp(Math.floor(r.x * width), 0, width - 1);
  const y0 = clamp(Math.floor(r.y * height), 0, height - 1);
  const x1 = clamp(Math.ceil((r.x + r.w) * width), x0 + 1, width);
  const y1 = clamp(Math.ceil((r.y + r.h) * height), y0 + 1, height);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

function setUpAreaDialog() {
  const dialog = $('area-dialog');
  const stage = $('area-stage');
  const cursor = $('area-cursor');

  stage.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    stage.setPointerCapture(e.pointerId);
    const at = shareAt(e);
    areas.drag = { ...at, el: h('div', { class: 'area', 'aria-hidden': 'true' }) };
    place(areas.drag.el, dragRect(areas.drag, at));
    stage.append(areas.drag.el);
  });
  stage.addEventListener('pointermove', (e) => {
    if (areas.drag) place(areas.drag.el, dragRect(areas.drag, shareAt(e)));
  });
  const endDrag = (e, keep) => {
    if (!areas.drag) return;
    const r = dragRect(areas.drag, shareAt(e));
    areas.drag.el.remove();
    areas.drag = null;
    if (keep && r.w >= MIN_AREA && r.h >= MIN_AREA) addArea(r);
  };
  stage.addEventListener('pointerup', (e) => endDrag(e, true));
  stage.addEventListener('pointercancel', (e) => endDrag(e, false));

  stage.addEventListener('focus', () => { cursor.hidden = !stage.matches(':focus-visible'); });
  stage.addEventListener('blur', () => { cursor.hidden = true; });
  stage.addEventListener('keydown', (e) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const c = areas.cursor;
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key].map((d) => d * KEY_STEP);
      if (e.shiftKey) {
        c.w = clamp(c.w + dx, KEY_STEP, 1 - c.x);
        c.h = clamp(c.h + dy, KEY_STEP, 1 - c.y);
      } else {
        c.x = clamp(c.x + dx, 0, 1 - c.w);
        c.y = clamp(c.y + dy, 0, 1 - c.h);
      }
      place(cursor, c);
    } else if (e.key === 'Enter') {
      addArea(c);
    } else {
      return;
    }
    cursor.hidden = false;
    e.preventDefault();
  });

  $('area-cancel').addEventListener('click', () => dialog.close());
  $('area-submit').addEventListener('click', async () => {
    const { photo } = areas;
    const body = { action: 'cover_areas', areas: areas.list.map((r) => toPixels(r, photo.width, photo.height)) };
    $('area-submit').disabled = true;
    const { error, next } = await decide(photo, body);
    if (error) {
      $('area-error').textContent = error;
      $('area-error').hidden = false;
      $('area-submit').disabled = false;
      areas.opener = next;
    } else {
      areas.opener = null; // the card it opened from was redrawn
      dialog.close();
      next.focus();
    }
  });
  dialog.addEventListener('close', () => {
    if (areas.drag) areas.drag.el.remove();
    if (areas.opener && areas.opener.isConnected) areas.opener.focus();
    Object.assign(areas, { photo: null, opener: null, list: [], drag: null });
  });
}

// ---------------------------------------------------------------------------------------------
// After the check

async function openReady() {
  const error = $('open-error');
  error.hidden = true;
  try {
    await api('POST', `/api/batches/${encodeURIComponent(run.id)}/open-ready`);
    announce('The ready folder is opening in a new window.');
  } catch (e) {
    error.textContent = `The folder could not be opened: ${e.message}`;
    error.hidden = false;
  }
}

function startOver() {
  run = null;
  for (const list of ['ready-list', 'held-list', 'problems-list']) $(list).replaceChildren();
  $('counts').replaceChildren();
  for (const id of ['results', 'done-actions', 'open-error', 'progress-section', 'review']) $(id).hidden = true;
  $('progress-title').textContent = 'Checking photos';
  $('start').hidden = false;
  $('choose-photos').focus();
  announce('Ready for the next photos.');
}

// ---------------------------------------------------------------------------------------------
// Wiring

function setUpDropping() {
  const zone = $('dropzone');
  const namesZone = $('names-zone');
  const accepting = () => !run && !starting && !stopped;
  let depth = 0; // dragenter/dragleave fire for every element crossed

  // Dropping anywhere on the page counts, and a drop the page cannot use must not make the
  // browser leave the page to show the file.
  document.addEventListener('dragenter', (e) => {
    e.preventDefault();
    if (accepting() && ++depth === 1) zone.classList.add('over');
  });
  document.addEventListener('dragleave', () => {
    if (depth > 0 && --depth === 0) zone.classList.remove('over');
  });
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = accepting() ? 'copy' : 'none';
    namesZone.classList.toggle('over', accepting() && namesZone.contains(e.target));
  });
  document.addEventListener('drop', async (e) => {
    e.preventDefault();
    depth = 0;
    zone.classList.remove('over');
    namesZone.classList.remove('over');
    if (!accepting()) {
      if (run) announce('These photos are still shown. To check others, choose "Check other photos" first.');
      return;
    }
    const items = droppedItems(e.dataTransfer);
    if (isClassListDrop(items)) {
      await useClassList(items[0].file);
    } else if (namesZone.contains(e.target)) {
      $('names-error').textContent = 'Drop just one .txt file here: the class list.';
      $('names-error').hidden = false;
    } else {
      await photosAdded(await filesOf(items));
    }
  });

  const photosInput = $('photos-input');
  const folderInput = $('folder-input');
  const namesInput = $('names-input');
  $('choose-photos').addEventListener('click', () => photosInput.click());
  $('choose-folder').addEventListener('click', () => folderInput.click());
  $('choose-names').addEventListener('click', () => namesInput.click());
  $('remove-names').addEventListener('click', dropClassList);
  const chosen = (input) => {
    const found = [...input.files].map((file) => ({ file, name: file.webkitRelativePath || file.name }));
    input.value = ''; // so choosing the same again is noticed
    return found;
  };
  photosInput.addEventListener('change', () => photosAdded(chosen(photosInput)));
  folderInput.addEventListener('change', () => photosAdded(chosen(folderInput)));
  namesInput.addEventListener('change', () => {
    const [file] = chosen(namesInput);
    if (file) useClassList(file.file);
  });
}

function keepAlive() {
  const beat = () => { if (!stopped) api('POST', '/api/alive').catch(() => {}); };
  beat();
  setInterval(beat, ALIVE_MS);
}

setUpDropping();
setUpPostDialog();
setUpAreaDialog();
$('open-ready').addEventListener('click', openReady);
$('start-over').addEventListener('click', startOver);
keepAlive();
