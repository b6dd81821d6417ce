// The explorer's page script. It builds the page from /api/run and asks /api/maps for the maps of the prompts typed.
// Every text from the run or the user goes into the page as text (textContent), never as markup.
'use strict';

const state = { run: null, image: null, prompts: [''], target: null, sign: 'all', outlierPerc: 2, seq: 0, timer: null, polling: new Set() };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await r.json();
  if (!r.ok) throw new Error(data.error ? data.error.message : `HTTP ${r.status}`);
  return data;
}

const fmt = (x) => (Math.abs(x) >= 100 || x === 0 ? x.toFixed(1) : x.toPrecision(4));
const currentImage = () => state.run.images.find((i) => i.image === state.image);

async function load() {
  state.run = await api('/api/run');
  if (state.image === null) {
    state.image = state.run.images[0]?.image ?? null;
    state.sign = state.run.sign;
    state.outlierPerc = state.run.outlierPerc;
    state.target = state.run.targets[0]?.name ?? null;
  }
  renderImages();
  renderMain();
}

function renderImages() {
  const box = document.getElementById('images');
  box.replaceChildren(
    ...state.run.images.map((img) =>
      el('button', { type: 'button', 'aria-pressed': String(img.image === state.image), text: img.image, onclick: () => { state.image = img.image; renderImages(); renderMain(); } }),
    ),
  );
}

function signSelect() {
  return el('label', {}, 'Sign ', el('select', { id: 'sign', onchange: (e) => { state.sign = e.target.value; renderMain(); } },
    ...state.run.signs.map((s) => el('option', { value: s, selected: s === state.sign, text: s }))));
}

function renderMain() {
  const main = document.getElementById('main');
  const img = currentImage();
  if (!img) { main.replaceChildren(el('p', { text: 'This run has no images.' })); return; }
  const live = img.methods.filter((m) => m.live);
  const targetSelect = state.run.targets.length > 1
    ? el('label', {}, 'Fusion of target ', el('select', { id: 'target', onchange: (e) => { state.target = e.target.value; ask(); } },
        ...state.run.targets.map((t) => el('option', { value: t.name, selected: t.name === state.target, text: `${t.name} (${t.fusion})` }))))
    : el('span', { class: 'muted', text: `fusion: ${state.run.targets[0].fusion} (as target ${state.run.targets[0].name})` });
  const outlier = el('label', {}, 'Clip outliers (%) ', el('input', { id: 'outlier', type: 'number', min: 0, max: 100, step: 0.5, value: state.outlierPerc, style: undefined,
    oninput: (e) => { const v = Number(e.target.value); if (Number.isFinite(v) && v >= 0 && v <= 100) { state.outlierPerc = v; schedule(150); } } }));
  const prompts = el('div', { class: 'prompts-box' },
    ...state.prompts.map((p, i) => el('span', {},
      el('input', { type: 'text', class: 'prompt', 'aria-label': `prompt ${i + 1}`, maxlength: state.run.limits.promptChars, placeholder: i === 0 ? 'e.g. left pleural effusion' : 'another prompt', value: p,
        oninput: (e) => { state.prompts[i] = e.target.value; schedule(250); } }),
      state.prompts.length > 1 ? el('button', { type: 'button', class: 'small', title: 'remove', text: '×', onclick: () => { state.prompts.splice(i, 1); renderMain(); } }) : null)),
    state.prompts.length < state.run.limits.prompts ? el('button', { type: 'button', class: 'small', id: 'add-prompt', text: '+ prompt', onclick: () => { state.prompts.push(''); renderMain(); document.querySelectorAll('input.prompt')[state.prompts.length - 1]?.focus(); } }) : null);
  const ask_ = el('section', { class: 'image' },
    el('h2', {}, 'Ask about ', el('code', { text: img.image })),
    live.length === 0
      ? el('p', { class: 'why', text: 'No method of this run has per-dimension maps for this image yet: compute a store below to ask about new prompts.' })
      : el('p', { class: 'muted', text: `Live for ${live.map((m) => m.method).join(', ')}: each prompt costs one text encoding and one matrix product.` }),
    el('div', { class: 'controls' }, targetSelect, signSelect(), outlier),
    prompts,
    el('div', { id: 'status', class: 'status', role: 'status' }),
    el('div', { id: 'live', class: 'scroll' }));
  const baseline = runMaps(img, 'classifier', 'Baseline maps of the run (classifier: one map per class)');
  main.replaceChildren(el('div', { class: 'pair' }, ask_, baseline), storeSection(img),
    runMaps(img, 'embedding', 'Maps the run computed (proposed: prompts fused with the image embedding)'), figureSection(img));
  ask();
}

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(ask, ms);
}

async function ask() {
  const img = currentImage();
  const prompts = [...new Set(state.prompts.map((p) => p.trim()).filter((p) => p.length > 0))];
  const box = document.getElementById('live');
  const status = document.getElementById('status');
  if (!box || !img) return;
  if (prompts.length === 0 || !img.methods.some((m) => m.live)) { box.replaceChildren(); status.textContent = ''; return; }
  const seq = ++state.seq;
  status.className = 'status';
  status.textContent = 'computing…';
  const started = performance.now();
  try {
    const r = await api('/api/maps', { image: img.image, prompts, target: state.target ?? undefined, sign: state.sign, outlierPerc: state.outlierPerc });
    if (seq !== state.seq) return;
    status.textContent = `${prompts.length} prompt${prompts.length === 1 ? '' : 's'} × ${r.methods.length} method${r.methods.length === 1 ? '' : 's'}: server ${r.milliseconds.total.toFixed(0)} ms (text ${r.milliseconds.encode.toFixed(0)}, fuse ${r.milliseconds.fuse.toFixed(0)}, render ${r.milliseconds.render.toFixed(0)}), page ${(performance.now() - started).toFixed(0)} ms`;
    const head = el('tr', {}, el('th', { class: 'corner', text: 'method \\ prompt' }),
      ...r.prompts.map((p, k) => el('th', { scope: 'col' }, el('span', { class: 'label', text: p }), el('span', { class: 'score', text: `score ${fmt(r.scores[k])}` }), el('span', { class: 'words', 'data-prompt': String(k) }))));
    const rows = r.methods.map((m) => el('tr', {}, el('th', { scope: 'row', text: m.method }),
      ...m.maps.map((x) => el('td', { class: 'live' }, el('figure', {}, el('img', { class: 'live-map', src: x.png, alt: `${m.method}: ${x.prompt}`, 'data-method': m.method, 'data-prompt': x.prompt, width: 168 }))))));
    box.replaceChildren(el('table', { class: 'grid' }, el('caption', { text: `Live maps (sign ${r.sign}, ${r.outlierPerc}% outliers clipped)` }), el('thead', {}, head), el('tbody', {}, ...rows)));
    if (state.run.tokens) words(img.image, r.prompts, seq);
  } catch (e) {
    if (seq !== state.seq) return;
    status.className = 'status error';
    status.textContent = e.message;
  }
}

async function words(image, prompts, seq) {
  try {
    const r = await api('/api/words', { image, prompts, target: state.target ?? undefined });
    if (seq !== state.seq) return;
    r.prompts.forEach((p, k) => {
      const slot = document.querySelector(`span.words[data-prompt="${k}"]`);
      if (!slot) return;
      const max = Math.max(1e-12, ...p.words.map((w) => Math.abs(w.ig)));
      slot.replaceChildren(...p.words.map((w) => {
        return el('span', { title: `Layer IG ${fmt(w.ig)}`, 'data-score': String(w.ig), class: w.ig >= 0 ? 'pos' : 'neg', text: w.word });
      }));
      slot.querySelectorAll('span').forEach((s) => {
        const v = Number(s.dataset.score);
        s.style.backgroundColor = v >= 0 ? `rgba(0,150,60,${(Math.abs(v) / max) * 0.6})` : `rgba(200,30,30,${(Math.abs(v) / max) * 0.6})`;
      });
    });
  } catch {
    // token attributions are extra: the maps stand without them
  }
}

function storeSection(img) {
  const missing = img.methods.filter((m) => !m.live);
  if (missing.length === 0) return null;
  return el('section', { class: 'image' }, el('h3', { text: 'Methods without per-dimension maps' }),
    ...missing.map((m) => {
      const progress = el('progress', { max: 1, value: 0, hidden: !m.job });
      const note = el('span', { class: 'muted' });
      const button = el('button', { type: 'button', class: 'small', 'data-method': m.method, text: `Compute the store for ${m.method}`, disabled: m.job && m.job.state === 'running',
        onclick: async () => {
          button.disabled = true;
          try {
            const job = await api('/api/stores', { image: img.image, method: m.method });
            poll(job.id, progress, note);
          } catch (e) { note.textContent = e.message; button.disabled = false; }
        } });
      if (m.job && m.job.state === 'running') poll(m.job.id, progress, note);
      return el('div', {}, el('h4', {}, el('code', { text: m.method })), el('p', { class: 'why', text: `Not live: ${m.why}` }), button, ' ', progress, ' ', note);
    }));
}

function poll(id, progress, note) {
  if (state.polling.has(id)) return;
  state.polling.add(id);
  progress.hidden = false;
  const tick = async () => {
    try {
      const j = await api(`/api/jobs/${id}`);
      progress.max = j.total || 1;
      progress.value = j.done;
      note.textContent = j.state === 'failed' ? `failed: ${j.message}` : `${Math.round((100 * j.done) / (j.total || 1))}%`;
      if (j.state === 'running') { setTimeout(tick, 300); return; }
      state.polling.delete(id);
      if (j.state === 'done') await load();
    } catch (e) { note.textContent = e.message; state.polling.delete(id); }
  };
  tick();
}

function runMaps(img, kind, title) {
  const items = img.items.filter((i) => i.kind === kind);
  if (items.length === 0) return null;
  const targets = [...new Set(items.map((i) => i.target))];
  return el('section', { class: 'image' }, el('h3', { text: title }),
    ...targets.map((t) => {
      const list = items.filter((i) => i.target === t);
      const labels = list[0].labels;
      const pick = (i, k) => i.overlays.find((o) => o.row === k && o.sign === state.sign) ?? i.overlays.find((o) => o.row === k);
      return el('div', { class: 'scroll' }, el('table', { class: 'grid' }, el('caption', {}, 'Target ', el('code', { text: t })),
        el('thead', {}, el('tr', {}, el('th', { class: 'corner', text: 'method' }), ...labels.map((l, k) => el('th', { scope: 'col' }, el('span', { class: 'label', text: l }), el('span', { class: 'score', text: `score ${fmt(list[0].scores[k])}` }))))),
        el('tbody', {}, ...list.map((i) => el('tr', {}, el('th', { scope: 'row' }, el('span', { class: 'label', text: i.method }), el('span', { class: 'score', text: i.strategy })),
          ...labels.map((l, k) => { const o = pick(i, k); return o ? el('td', {}, el('figure', {}, el('img', { src: o.url, alt: `${i.method}: ${l} (${o.sign})` }), el('figcaption', { text: o.sign }))) : el('td', { class: 'missing', text: '—' }); }))))));
    }));
}

function figureSection(img) {
  if (img.figures.length === 0) return null;
  return el('section', { class: 'image' }, el('h3', { text: 'Figures of the run' }),
    el('div', { class: 'figures' }, ...img.figures.map((f) => el('figure', { class: 'extra' }, el('img', { src: f.url, alt: `figure of target ${f.target}`, loading: 'lazy' }), el('figcaption', { text: `Target ${f.target}: ${f.layout === 'methods-by-classes' ? 'methods × classes (Fig. 1)' : 'prompts × methods (Fig. 2)'}` })))));
}

load().catch((e) => {
  document.getElementById('main').replaceChildren(el('p', { class: 'status error', text: `Could not load the run: ${e.message}` }));
});
