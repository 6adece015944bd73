// Reads itsm service maps with a real Mermaid 11 and checks that no key or name broke or
// restyled them. Used by crates/cli/tests/maps.rs; `npm ci` in this directory installs it.
//
//   node check.mjs DIR
//
// DIR/manifest.json lists the maps: [{ "file": "x.mmd", "nodes": [{ "id": "n0", "text": "...",
// "fill": "#f8b4b4" | null }], "edges": 3, "edge_labels": ["runs on"] }]. For each map:
//  1. mermaid.parse() accepts it as a flowchart, and the configuration it read from the text is
//     empty: no `init` directive, front matter or `wrap` of a name took effect;
//  2. mermaid.render() (strict security level, under jsdom with a fixed-width text measure)
//     draws exactly the listed nodes and edges; each node shows its text literally (whitespace
//     collapsed, as HTML shows it) and has the fill of its class, or the theme's when it has
//     none; the edge labels are the relation kinds;
//  3. the SVG's style is the default theme's (node fill #ECECFF, stroke #9370DB) with no
//     `url(`, and the SVG holds no script, link, image, event handler, `javascript:` or external URL.
// Where Chromium is installed (ITSM_CHROMIUM, or /usr/bin/chromium), every map is also rendered
// in it, headless, and its SVG goes through the checks of 2 and 3.
// Prints one line per map and `mermaid: N passed, M failed`; exits 1 when a map failed.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JSDOM } from 'jsdom';

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check.mjs DIR');
  process.exit(2);
}

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
const w = dom.window;
globalThis.window = w;
globalThis.document = w.document;
for (const k of ['Element', 'HTMLElement', 'SVGElement', 'DOMParser', 'Node', 'navigator',
  'MutationObserver', 'getComputedStyle', 'XMLSerializer', 'CSSStyleSheet']) {
  if (!(k in globalThis)) globalThis[k] = w[k];
}
// jsdom lays out nothing: measure text at a fixed width per character.
const box = (el) => {
  const n = (el.textContent || '').length;
  return { x: 0, y: 0, left: 0, top: 0, right: 8 * n + 10, bottom: 20, width: 8 * n + 10, height: 20 };
};
w.SVGElement.prototype.getBBox = function () { return box(this); };
w.SVGElement.prototype.getComputedTextLength = function () { return 8 * (this.textContent || '').length; };
w.Element.prototype.getBoundingClientRect = function () { return box(this); };

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

// Whitespace as HTML shows it; word joiners (U+2060), which the escaping puts inside sequences
// Mermaid would otherwise read (`\n`, `fa:fa-`, `#br#`, `$$`), are invisible.
const squash = (s) => s.replace(/\u2060/g, '').replace(/\s+/g, ' ').trim();
const THEME_NODE = /\.node rect,[^{]*\{fill:#ECECFF;stroke:#9370DB;/;

async function check(m, i) {
  const text = readFileSync(join(dir, m.file), 'utf8');
  const problems = [];
  let parsed;
  try {
    parsed = await mermaid.parse(text);
  } catch (e) {
    return [`does not parse: ${String(e.message).slice(0, 300)}`];
  }
  if (parsed.diagramType !== 'flowchart-v2') problems.push(`read as ${parsed.diagramType}`);
  if (Object.keys(parsed.config || {}).length > 0) {
    problems.push(`configuration taken from the text: ${JSON.stringify(parsed.config).slice(0, 200)}`);
  }
  let svg;
  try {
    ({ svg } = await mermaid.render(`m${i}`, text));
  } catch (e) {
    return [...problems, `does not render: ${String(e.message).slice(0, 300)}`];
  }
  return [...problems, ...checkSvg(svg, m)];
}

// The checks of a rendered SVG (from jsdom or from Chromium) against the manifest entry.
function checkSvg(svg, m) {
  const problems = [];
  const host = w.document.createElement('div');
  host.innerHTML = svg;
  const style = [...host.querySelectorAll('style')].map((s) => s.textContent).join('\n');
  if (style.includes('url(')) problems.push('the style holds url(');
  if (!THEME_NODE.test(style)) problems.push('the node colours are not the default theme\'s');
  for (const el of host.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'a', 'img', 'image', 'math'].includes(tag)) {
      problems.push(`a <${tag}> element in the SVG`);
    }
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) problems.push(`an event handler \`${attr.name}\` in the SVG`);
      if (/javascript:|url\(\s*['"]?http/i.test(attr.value)) problems.push(`\`${attr.name}\` holds a script or external URL`);
    }
  }
  if (host.querySelector('.error-icon, .error-text')) problems.push('Mermaid drew its error picture');
  const drawn = new Map();
  for (const g of host.querySelectorAll('g.node')) {
    const id = /-?flowchart-([ng]\d+)-\d+$/.exec(g.getAttribute('id') || '');
    if (!id) {
      problems.push(`a node with an unexpected id \`${g.getAttribute('id')}\``);
      continue;
    }
    drawn.set(id[1], g);
  }
  if (drawn.size !== m.nodes.length) problems.push(`${drawn.size} nodes drawn, ${m.nodes.length} expected`);
  for (const n of m.nodes) {
    const g = drawn.get(n.id);
    if (!g) {
      problems.push(`node ${n.id} is missing`);
      continue;
    }
    const label = g.querySelector('.label, .nodeLabel');
    const shown = squash(label ? label.textContent : g.textContent);
    if (shown !== squash(n.text)) problems.push(`node ${n.id} shows \`${shown.slice(0, 120)}\`, not \`${squash(n.text).slice(0, 120)}\``);
    if (label && label.querySelector('i, strong, em, b, a, img, svg, math, code')) {
      problems.push(`node ${n.id}'s label holds markup: ${label.innerHTML.slice(0, 160)}`);
    }
    const styles = [...g.querySelectorAll('[style]')].map((e) => e.getAttribute('style')).join(';');
    if (n.fill && !styles.toLowerCase().includes(`fill:${n.fill}`)) {
      problems.push(`node ${n.id} is not filled ${n.fill}: ${styles.slice(0, 160)}`);
    }
    if (!n.fill && /(^|[;\s])fill:#/i.test(styles)) problems.push(`node ${n.id} has a fill of its own: ${styles.slice(0, 160)}`);
  }
  const edges = host.querySelectorAll('path.flowchart-link').length;
  if (edges !== m.edges) problems.push(`${edges} edges drawn, ${m.edges} expected`);
  const labels = [...host.querySelectorAll('g.edgeLabel')].map((e) => squash(e.textContent)).filter((t) => t);
  const expected = [...m.edge_labels].map(squash).sort();
  if (JSON.stringify([...labels].sort()) !== JSON.stringify(expected)) {
    problems.push(`edge labels ${JSON.stringify(labels)}, expected ${JSON.stringify(expected)}`);
  }
  return problems;
}

// Renders every map in headless Chromium (the real browser layout and sanitizer): one page
// loads mermaid.min.js, renders each text and writes the SVGs as JSON into the page, which
// Chromium prints with --dump-dom. Returns { file: svg | { error } }, or null when it failed.
function renderInChromium(chromium, manifest) {
  const texts = manifest.map((m) => [m.file, readFileSync(join(dir, m.file), 'utf8')]);
  const script = pathToFileURL(join(here, 'node_modules/mermaid/dist/mermaid.min.js')).href;
  const page = `<!doctype html><html><head><meta charset="utf-8"></head><body><pre id="out"></pre>
<script src="${script}"></script>
<script type="module">
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
const texts = ${JSON.stringify(texts).replace(/</g, '\\u003c')};
const out = {};
let i = 0;
for (const [file, text] of texts) {
  try { out[file] = (await mermaid.render('c' + i++, text)).svg; }
  catch (e) { out[file] = { error: String(e.message).slice(0, 300) }; }
}
document.getElementById('out').textContent = 'RESULT' + JSON.stringify(out);
</script></body></html>`;
  const file = join(dir, 'chromium.html');
  writeFileSync(file, page);
  const profile = mkdtempSync(join(tmpdir(), 'itsm-mermaid-chromium-'));
  const run = spawnSync(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    `--user-data-dir=${profile}`, '--allow-file-access-from-files',
    '--virtual-time-budget=120000', '--dump-dom', pathToFileURL(file).href,
  ], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 240000 });
  rmSync(profile, { recursive: true, force: true });
  const dumped = new JSDOM(run.stdout || '').window.document.getElementById('out');
  const text = dumped ? dumped.textContent : '';
  if (!text.startsWith('RESULT')) {
    console.log(`FAIL chromium: no result (exit ${run.status}): ${String(run.stderr).slice(-300)}`);
    return null;
  }
  return JSON.parse(text.slice('RESULT'.length));
}

const chromium = [process.env.ITSM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .find((c) => c && existsSync(c));
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const inChromium = chromium ? renderInChromium(chromium, manifest) : null;
console.log(`engines: jsdom${chromium ? `, chromium (${chromium})` : ' (no Chromium: skipped)'}`);
let passed = 0;
let failed = 0;
for (const [i, m] of manifest.entries()) {
  const problems = await check(m, i);
  if (chromium) {
    const svg = inChromium ? inChromium[m.file] : { error: 'Chromium gave no result' };
    const found = typeof svg === 'string' ? checkSvg(svg, m) : [`does not render: ${svg ? svg.error : 'missing'}`];
    problems.push(...found.map((p) => `in Chromium: ${p}`));
  }
  if (problems.length === 0) {
    passed += 1;
    console.log(`ok ${m.file}`);
  } else {
    failed += 1;
    console.log(`FAIL ${m.file}: ${problems.join('; ')}`);
  }
}
console.log(`mermaid: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
