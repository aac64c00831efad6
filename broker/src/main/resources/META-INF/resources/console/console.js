// Strata console: plain DOM over the /v3 REST API. No dependencies, no build step.
'use strict';

// From the origin, never location.href: a URL with user:password@ in it cannot be fetched.
const API = new URL('../v3/', location.origin + location.pathname);
const SAMPLE_MS = 5000;
const WINDOW_MS = 5 * 60 * 1000;
const COLORS = ['#1f5fbf', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#e67700', '#495057'];

const state = { cluster: null, topic: null, partitions: [], group: null, sampler: null, history: new Map() };
const $ = id => document.getElementById(id);

async function api(path) {
  const response = await fetch(new URL(path, API), { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.message || `${response.status} ${response.statusText}`);
  }
  return body;
}

function showError(error) {
  const box = $('error');
  box.textContent = error ? error.message : '';
  box.hidden = !error;
  if (error) {
    document.querySelectorAll('tr.loading td').forEach(td => { td.textContent = 'Not loaded: see the error above.'; });
    document.querySelectorAll('table[aria-busy]').forEach(table => table.removeAttribute('aria-busy'));
  }
}

// Until its data arrives a table says so: an empty table would look like a cluster with nothing in it.
function loading(table) {
  const td = document.createElement('td');
  td.colSpan = table.tHead.rows[0].cells.length;
  td.textContent = 'Loading…';
  const tr = document.createElement('tr');
  tr.className = 'loading';
  tr.append(td);
  table.tBodies[0].replaceChildren(tr);
  table.setAttribute('aria-busy', 'true');
}

// The selected topic and group are kept in the address (?topic=…&group=…), so that a view can be
// linked, bookmarked and reloaded. A relative URL: the address may carry credentials (user:password@).
function remember(key, value) {
  const params = new URLSearchParams(location.search);
  params.set(key, value);
  history.replaceState(null, '', `${location.pathname}?${params}${location.hash}`);
}

// Selects again what the address names, once the table listing it has loaded.
function restore(key, table, select) {
  const name = new URLSearchParams(location.search).get(key);
  if (name === null) return undefined;
  const button = [...table.tBodies[0].querySelectorAll('button.link')].find(b => b.dataset[key] === name);
  if (!button) throw new Error(`The ${key} ${name} named in the address was not found.`);
  return select(name, button);
}

// A topic or group picked from its table: marked there, kept in the state and the address, and shown
// in its detail pane, whose table loads.
function choose(key, name, button, detailTable) {
  showError(null);
  press($(`${key}-table`).tBodies[0], button);
  state[key] = name;
  remember(key, name);
  $(`${key}-name`).textContent = name;
  loading(detailTable);
  $(`${key}-detail`).hidden = false;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (className) td.className = className;
  return td;
}

function fill(tbody, rows) {
  tbody.parentElement.removeAttribute('aria-busy');
  tbody.replaceChildren(...rows.map(cells => {
    const tr = document.createElement('tr');
    tr.append(...cells);
    return tr;
  }));
}

function linkButton(text, onClick, data) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link';
  button.textContent = text;
  button.setAttribute('aria-pressed', 'false');
  Object.assign(button.dataset, data);
  button.addEventListener('click', onClick);
  const td = document.createElement('td');
  td.append(button);
  return td;
}

function press(tbody, button) {
  tbody.querySelectorAll('button.link').forEach(b => b.setAttribute('aria-pressed', String(b === button)));
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function bytesCell(n) {
  if (n === null || n === undefined) return cell(null, 'num'); // known to the partition's leader only
  const td = cell(bytes(n), 'num');
  td.dataset.bytes = n;
  td.title = `${n.toLocaleString()} bytes`;
  return td;
}

function payload(p) {
  if (p === null || p === undefined) return 'null';
  const text = typeof p.data === 'string' ? p.data : JSON.stringify(p.data);
  return p.type === 'BINARY' ? `base64:${text}` : text;
}

function payloadCell(p) {
  const full = payload(p);
  const td = cell(full.length > 300 ? full.slice(0, 300) + '…' : full, 'payload');
  if (full.length > 300) td.title = full;
  return td;
}

// A partition's leader, replicas and in-sync replicas. An ISR smaller than the replicas is flagged in
// words, not by colour alone: a replica is down or behind (or added by a reassignment and catching up),
// and the partition may be one failure closer to refusing acks=all writes or losing data.
function replicaCells(p) {
  const isr = cell(p.isr.join(', '));
  if (p.isr.length < p.replicas.length) {
    const flag = document.createElement('strong');
    flag.textContent = `under-replicated, ${p.isr.length} of ${p.replicas.length} in sync`;
    isr.append(' ', flag);
    isr.className = 'under-replicated';
  }
  return [cell(p.leader_id < 0 ? 'none' : p.leader_id, 'num'), cell(p.replicas.join(', ')), isr];
}

// --- Brokers and under-replicated partitions -----------------------------------------------------

async function loadCluster() {
  const clusters = await api('clusters');
  state.cluster = clusters.data[0].cluster_id;
  $('cluster').textContent = `Cluster ${state.cluster}, ${clusters.data[0].brokers_count} broker(s)`;
}

async function loadBrokers() {
  const brokers = await api(`clusters/${state.cluster}/brokers`);
  fill($('broker-table').tBodies[0], brokers.data.map(b =>
    [cell(b.broker_id, 'num'), cell(b.host), cell(b.port, 'num'), cell(b.rack || '—')]));
}

// One request for the whole cluster: asking each topic for its partitions would cost a request per topic.
async function loadUnderReplicated() {
  const list = await api(`clusters/${state.cluster}/under-replicated-partitions`);
  const table = $('under-replicated-table');
  const rows = list.data.map(p => [cell(p.topic_name), cell(p.partition_id, 'num'), ...replicaCells(p)]);
  fill(table.tBodies[0], rows.length ? rows : [[Object.assign(cell('None'), { colSpan: table.tHead.rows[0].cells.length })]]);
}

// --- Topics, partitions and the message browser --------------------------------------------------

async function loadTopics() {
  const topics = await api(`clusters/${state.cluster}/topics`);
  const tbody = $('topic-table').tBodies[0];
  topics.data.sort((a, b) => a.topic_name.localeCompare(b.topic_name));
  fill(tbody, topics.data.map(t => [
    linkButton(t.topic_name, event => selectTopic(t.topic_name, event.target).catch(showError), { topic: t.topic_name }),
    cell(t.partitions_count, 'num'), cell(t.replication_factor, 'num'), cell(t.is_internal ? 'yes' : 'no')]));
}

async function loadPartitions() {
  const list = await api(`clusters/${state.cluster}/topics/${encodeURIComponent(state.topic)}/partitions`);
  state.partitions = list.data;
  fill($('partition-table').tBodies[0], list.data.map(p => [cell(p.partition_id, 'num'), ...replicaCells(p),
    cell(p.earliest_offset, 'num'), cell(p.latest_offset, 'num'), bytesCell(p.local_bytes), bytesCell(p.tiered_bytes)]));
  const sum = key => list.data.reduce((total, p) => total + (p[key] ?? 0), 0);
  $('total-local').replaceWith(Object.assign(bytesCell(sum('local_bytes')), { id: 'total-local' }));
  $('total-tiered').replaceWith(Object.assign(bytesCell(sum('tiered_bytes')), { id: 'total-tiered' }));
}

async function selectTopic(name, button) {
  choose('topic', name, button, $('partition-table'));
  await loadPartitions();
  const select = $('browse-partition');
  select.replaceChildren(...state.partitions.map(p => new Option(String(p.partition_id), String(p.partition_id))));
  $('record-table').tBodies[0].replaceChildren();
  $('browse-status').textContent = '';
}

async function browse(event) {
  event.preventDefault();
  showError(null);
  const partition = Number($('browse-partition').value);
  const count = Math.max(1, Math.min(1000, Number($('browse-count').value) || 20));
  const base = `clusters/${state.cluster}/topics/${encodeURIComponent(state.topic)}/partitions/${partition}`;
  let offset;
  if ($('browse-mode').value === 'latest') {
    const p = await api(base);
    offset = Math.max(p.earliest_offset, p.latest_offset - count);
  } else {
    offset = Math.max(0, Number($('browse-offset').value) || 0);
  }
  loading($('record-table'));
  const records = await api(`${base}/records?offset=${offset}&max_records=${count}`);
  fill($('record-table').tBodies[0], records.data.map(r => [cell(r.offset, 'num'), cell(r.timestamp),
    payloadCell(r.key), payloadCell(r.value), cell(r.headers.map(h => h.name).join(', '))]));
  const shown = records.data.length;
  $('browse-status').textContent = shown === 0
    ? `No records from offset ${offset} of partition ${partition} (offsets ${records.earliest_offset} to ${records.latest_offset - 1}).`
    : `Offsets ${records.data[0].offset} to ${records.data[shown - 1].offset} of partition ${partition} `
      + `(it holds ${records.earliest_offset} to ${records.latest_offset - 1}).`;
}

// --- Consumer groups, lag and the lag chart ------------------------------------------------------

async function loadGroups() {
  const groups = await api(`clusters/${state.cluster}/consumer-groups`);
  groups.data.sort((a, b) => a.consumer_group_id.localeCompare(b.consumer_group_id));
  fill($('group-table').tBodies[0], groups.data.map(g => [
    linkButton(g.consumer_group_id, event => selectGroup(g.consumer_group_id, event.target).catch(showError),
      { group: g.consumer_group_id }),
    cell(g.state), cell(g.consumers_count, 'num')]));
}

async function selectGroup(id, button) {
  choose('group', id, button, $('lag-table'));
  clearInterval(state.sampler);
  await sample();
  state.sampler = setInterval(() => sample().catch(showError), SAMPLE_MS);
}

async function sample() {
  const group = state.group;
  const lags = await api(`clusters/${state.cluster}/consumer-groups/${encodeURIComponent(group)}/lags`);
  if (group !== state.group) return;
  lags.data.sort((a, b) => a.topic_name.localeCompare(b.topic_name) || a.partition_id - b.partition_id);
  // A partition assigned but never committed has no committed offset and so no lag (null).
  fill($('lag-table').tBodies[0], lags.data.map(l => [cell(l.topic_name), cell(l.partition_id, 'num'),
    cell(l.current_offset ?? '—', 'num'), cell(l.log_end_offset, 'num'), cell(l.lag ?? '—', 'num'),
    cell(l.client_id || '—')]));
  const lagging = lags.data.filter(l => l.lag !== null);
  $('total-lag').textContent = lagging.reduce((total, l) => total + l.lag, 0);
  const now = Date.now();
  const history = state.history.get(group) || [];
  history.push({ time: now, lags: Object.fromEntries(lagging.map(l => [`${l.topic_name}-${l.partition_id}`, l.lag])) });
  while (history.length && history[0].time < now - WINDOW_MS) history.shift();
  state.history.set(group, history);
  drawChart(history, now);
}

function svg(name, attributes, text) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', name);
  Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function drawChart(history, now) {
  const chart = $('lag-chart');
  const height = 200, top = 14, bottom = 186, left = 8, right = 592;
  const series = [...new Set(history.flatMap(s => Object.keys(s.lags)))].sort();
  const max = Math.max(1, ...history.flatMap(s => Object.values(s.lags)));
  const x = time => left + ((time - (now - WINDOW_MS)) / WINDOW_MS) * (right - left);
  const y = lag => bottom - (lag / max) * (bottom - top);
  const parts = [
    svg('line', { x1: left, y1: bottom, x2: right, y2: bottom, stroke: '#d8dce4' }),
    svg('line', { x1: left, y1: top, x2: right, y2: top, stroke: '#d8dce4', 'stroke-dasharray': '4 4' }),
    svg('text', { x: left, y: top - 3, 'font-size': 11, fill: '#5b6475' }, `${max}`),
    svg('text', { x: left, y: height - 2, 'font-size': 11, fill: '#5b6475' }, '5 min ago'),
    svg('text', { x: right, y: height - 2, 'font-size': 11, fill: '#5b6475', 'text-anchor': 'end' }, 'now'),
  ];
  series.forEach((name, i) => {
    const points = history.filter(s => name in s.lags).map(s => `${x(s.time).toFixed(1)},${y(s.lags[name]).toFixed(1)}`);
    const color = COLORS[i % COLORS.length];
    parts.push(points.length === 1
      ? svg('circle', { cx: points[0].split(',')[0], cy: points[0].split(',')[1], r: 3, fill: color, 'data-series': name })
      : svg('polyline', { points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 2, 'data-series': name }));
  });
  chart.replaceChildren(...parts);
  $('lag-legend').replaceChildren(...series.map((name, i) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.style.background = COLORS[i % COLORS.length];
    swatch.setAttribute('aria-hidden', 'true');
    const last = history[history.length - 1].lags[name];
    item.append(swatch, `${name}: ${last === undefined ? '—' : last}`);
    return item;
  }));
}

// --- Start -------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('browse-form').addEventListener('submit', event => browse(event).catch(showError));
  $('browse-mode').addEventListener('change', () => { $('browse-offset-label').hidden = $('browse-mode').value !== 'offset'; });
  $('refresh-brokers').addEventListener('click', () => Promise.all([loadBrokers(), loadUnderReplicated()]).catch(showError));
  $('refresh-topics').addEventListener('click', () => loadTopics().then(() => state.topic && loadPartitions()).catch(showError));
  $('refresh-groups').addEventListener('click', () => loadGroups().catch(showError));
  loadCluster().then(() => Promise.all([
    loadBrokers(),
    loadUnderReplicated(),
    loadTopics().then(() => restore('topic', $('topic-table'), selectTopic)),
    loadGroups().then(() => restore('group', $('group-table'), selectGroup)),
  ])).catch(showError);
});
