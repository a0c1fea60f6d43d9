import './style.css';
import { readBatches } from '@lossflow/arrow';
import { LOSSES, lossDescriptor } from '@lossflow/core';
import type { GroupKey } from '@lossflow/rx';
import ComputeWorker from './computeWorker.ts?worker&inline';
import { emaSmoothing } from './emaSmoothing.js';
import { type RunResult, runEval } from './evalRun.js';
import type { EvalSpec } from './evalSpec.js';
import { type ChartSeries, lineChart, PALETTE } from './lineChart.js';
import { lossOptionsForm, lossPicker, readLossForm } from './lossForm.js';
import { RunFailure } from './RunFailure.js';
import { resultCsv, resultDocument } from './resultDocument.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const filesInput = $<HTMLInputElement>('files');
const drop = $('drop');
const lossesBox = $('losses');
const optionsBox = $('loss-options');
const columnsBox = $('columns');
const startButton = $<HTMLButtonElement>('start');
const cancelButton = $<HTMLButtonElement>('cancel');
const statusBox = $('status');
const progressBar = $<HTMLProgressElement>('progress');
const errorBox = $('error');
const smoothing = $<HTMLInputElement>('smoothing');
const threadsInput = $<HTMLInputElement>('threads');
const kernelsSelect = $<HTMLSelectElement>('kernels');

/** Workers by default: one per core, capped (more than 8 rarely pays for their memory). */
threadsInput.value = String(Math.min(8, Math.max(1, navigator.hardwareConcurrency || 2)));
lossesBox.insertAdjacentHTML('beforeend', lossPicker());

let files: File[] = [];
let columnNames: string[] = [];
let running: AbortController | undefined;
let result: RunResult | undefined;
/** Live series: per loss, per group key, the running value after each batch (x: rows of the group). */
let epochSeries = new Map<GroupKey, { x: number[]; y: number[] }>();
let batchX: number[] = [];
let batchY: number[] = [];
let pendingDraw = false;

function setState(state: 'idle' | 'ready' | 'running' | 'done' | 'error' | 'cancelled'): void {
  document.body.dataset.state = state;
  const busy = state === 'running';
  startButton.disabled = busy || files.length === 0;
  cancelButton.disabled = !busy;
  for (const id of ['download-json', 'download-csv', 'download-svg', 'download-png'])
    $<HTMLButtonElement>(id).disabled = state !== 'done';
}

function checkedLosses(): string[] {
  return [...lossesBox.querySelectorAll<HTMLInputElement>('input[name="loss"]:checked')].map((i) => i.value);
}

function renderOptions(): void {
  const keep = new Map(
    [...optionsBox.querySelectorAll<HTMLElement>('fieldset[data-loss]')].map((f) => [f.dataset.loss!, f]),
  );
  optionsBox.replaceChildren();
  for (const name of checkedLosses()) {
    const existing = keep.get(name);
    if (existing !== undefined) optionsBox.append(existing);
    else optionsBox.insertAdjacentHTML('beforeend', lossOptionsForm(lossDescriptor(name)!));
  }
  renderColumns();
}

function renderColumns(): void {
  const before = new Map(
    [...columnsBox.querySelectorAll<HTMLSelectElement>('select')].map((s) => [s.id, s.value]),
  );
  const roles = new Set<string>();
  for (const name of checkedLosses()) for (const r of lossDescriptor(name)!.roles) roles.add(r.name);
  const opts = (auto: string) =>
    [
      `<option value="">${auto}</option>`,
      ...columnNames.map((c) => `<option value="${c}">${c}</option>`),
    ].join('');
  const rows = [...roles].map(
    (r) =>
      `<div class="row"><label for="col-${r}">${r}</label><select id="col-${r}" data-role="${r}">${opts('auto-detect')}</select></div>`,
  );
  rows.push(
    `<div class="row"><label for="col-by">group by</label><select id="col-by">${opts('(no grouping)')}</select></div>`,
  );
  columnsBox.innerHTML = `<legend>Columns</legend>${rows.join('')}`;
  for (const s of columnsBox.querySelectorAll<HTMLSelectElement>('select')) {
    const v = before.get(s.id);
    if (v !== undefined && [...s.options].some((o) => o.value === v)) s.value = v;
  }
  const by = $<HTMLSelectElement>('col-by');
  if ((before.get('col-by') ?? '') === '' && columnNames.includes('epoch')) by.value = 'epoch';
}

async function chooseFiles(list: FileList | File[]): Promise<void> {
  files = [...list];
  const listing = files.map((f) => `${f.name} (${formatBytes(f.size)})`).join(', ');
  $('file-list').textContent = files.length === 0 ? 'No file chosen.' : listing;
  errorBox.hidden = true;
  columnNames = [];
  if (files[0] !== undefined) {
    const reader = readBatches(files[0]);
    try {
      const schema = await reader.schema();
      columnNames = schema.fields.map((f) => f.name);
      statusBox.textContent = `${files.length} file${files.length === 1 ? '' : 's'}: ${await reader.format()}, columns ${schema.fields
        .map((f) => `${f.name} (${String(f.type)})`)
        .join(', ')}.`;
    } catch (e) {
      showError(e instanceof Error ? e.message : String(e));
    } finally {
      await reader.close();
    }
  }
  renderColumns();
  setState(files.length === 0 ? 'idle' : 'ready');
}

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function spec(): EvalSpec {
  const columns: Record<string, string> = {};
  for (const s of columnsBox.querySelectorAll<HTMLSelectElement>('select[data-role]'))
    if (s.value !== '') columns[s.dataset.role!] = s.value;
  const losses = checkedLosses().map((name) => {
    const d = lossDescriptor(name)!;
    const form = optionsBox.querySelector<HTMLElement>(`fieldset[data-loss="${name}"]`)!;
    const roles = Object.fromEntries(
      Object.entries(columns).filter(([r]) => d.roles.some((x) => x.name === r)),
    );
    return readLossForm(form, d, roles);
  });
  if (losses.length === 0) throw new Error('Pick at least one loss.');
  const by = $<HTMLSelectElement>('col-by').value;
  return { losses, by: by === '' ? undefined : by, kernels: kernelsSelect.value as EvalSpec['kernels'] };
}

async function start(): Promise<void> {
  let s: EvalSpec;
  try {
    s = spec();
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    return;
  }
  result = undefined;
  epochSeries = new Map();
  batchX = [];
  batchY = [];
  errorBox.hidden = true;
  $('epochs').innerHTML = '<caption>Per-group loss</caption>';
  running = new AbortController();
  setState('running');
  const threads = Math.max(1, Math.min(32, Number(threadsInput.value) || 1));
  let rowsSeen = 0;
  try {
    result = await runEval(files, s, {
      workers: () => new ComputeWorker(),
      threads,
      signal: running.signal,
      onProgress: (p) => {
        progressBar.max = Math.max(1, p.totalBytes);
        progressBar.value = p.bytesRead;
        const seconds = p.elapsed / 1000;
        statusBox.textContent = `Reading: ${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)}, ${p.rows.toLocaleString('en-US')} rows computed, ${Math.round(p.rows / Math.max(seconds, 1e-3)).toLocaleString('en-US')} rows/s, ${threads} workers.`;
      },
      onChunk: (loss, chunk, value, groups) => {
        if (loss !== 0) return;
        rowsSeen += chunk.rows;
        batchX.push(rowsSeen);
        batchY.push(value);
        for (const g of groups) {
          let series = epochSeries.get(g.key);
          if (series === undefined) {
            series = { x: [], y: [] };
            epochSeries.set(g.key, series);
          }
          series.x.push(g.rows);
          series.y.push(g.value);
        }
        scheduleDraw();
      },
    });
    statusBox.textContent = `Done: ${result.rows.toLocaleString('en-US')} rows of ${result.files.length} file${result.files.length === 1 ? '' : 's'}. ${result.results
      .map((r) => `${r.loss} (${r.reduction}) = ${r.value}`)
      .join('; ')}`;
    progressBar.value = progressBar.max;
    setState('done');
    draw();
  } catch (e) {
    const cancelled = e instanceof RunFailure && e.code === 'ABORTED';
    statusBox.textContent = cancelled ? 'Cancelled: no result.' : 'Failed: no result.';
    if (!cancelled) showError(e instanceof Error ? e.message : String(e));
    setState(cancelled ? 'cancelled' : 'error');
    // Partial values are never left on show as if they were the result.
    $('epochs').innerHTML = '<caption>Per-group loss</caption>';
    $('epoch-chart').replaceChildren();
    $('batch-chart').replaceChildren();
  } finally {
    running = undefined;
  }
}

function scheduleDraw(): void {
  if (pendingDraw) return;
  pendingDraw = true;
  requestAnimationFrame(() => {
    pendingDraw = false;
    draw();
  });
}

function lossTitle(): string {
  const first = checkedLosses()[0];
  return first === undefined ? 'loss' : (lossDescriptor(first)?.cliName ?? first);
}

function epochChartSvg(): string {
  const series: ChartSeries[] = [...epochSeries].map(([key, s], i) => ({
    label: `${$<HTMLSelectElement>('col-by').value || 'all'} ${key}`,
    color: PALETTE[i % PALETTE.length]!,
    x: s.x,
    y: s.y,
  }));
  return lineChart(series, {
    title: `Running ${lossTitle()} per group`,
    xLabel: 'rows into the group',
    width: chartWidth(),
  });
}

function batchChartSvg(): string {
  const alpha = Number(smoothing.value);
  return lineChart(
    [
      { label: 'per batch', color: '#9a9a9a', x: batchX, y: batchY },
      { label: `EMA ${alpha}`, color: '#0b63c5', x: batchX, y: emaSmoothing(batchY, alpha) },
    ],
    { title: `${lossTitle()} per batch`, xLabel: 'rows read', width: chartWidth() },
  );
}

/** The charts' width in CSS pixels: their box's, so text keeps its size in a narrow window. */
function chartWidth(): number {
  return Math.max(300, Math.min(900, Math.round($('epoch-chart').clientWidth || 640)));
}

function draw(): void {
  const state = document.body.dataset.state;
  if (state !== 'running' && state !== 'done') return;
  $('epoch-chart').innerHTML = epochChartSvg();
  $('batch-chart').innerHTML = batchChartSvg();
  const rows: string[] = [
    '<caption>Per-group loss</caption><thead><tr><th scope="col">group</th><th scope="col">rows</th><th scope="col">loss</th><th scope="col">change</th></tr></thead><tbody>',
  ];
  let previous: number | undefined;
  const groups =
    result?.results[0]?.groups ??
    [...epochSeries].map(([key, s]) => ({ key, value: s.y.at(-1)!, rows: s.x.at(-1)! }));
  for (const g of groups) {
    const change =
      previous === undefined || previous === 0
        ? ''
        : `${(((g.value - previous) / Math.abs(previous)) * 100).toFixed(1)}%`;
    const cls = change === '' ? '' : g.value < previous! ? 'down' : 'up';
    rows.push(
      `<tr><th scope="row">${String(g.key)}</th><td>${g.rows.toLocaleString('en-US')}</td><td>${g.value.toPrecision(6)}</td><td class="${cls}">${change}</td></tr>`,
    );
    previous = g.value;
  }
  rows.push('</tbody>');
  $('epochs').innerHTML = rows.join('');
}

function download(name: string, type: string, body: BlobPart): void {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

lossesBox.addEventListener('change', renderOptions);
filesInput.addEventListener('change', () => void chooseFiles(filesInput.files ?? []));
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer?.files) void chooseFiles(e.dataTransfer.files);
});
$('setup').addEventListener('submit', (e) => {
  e.preventDefault();
  void start();
});
cancelButton.addEventListener('click', () => running?.abort());
smoothing.addEventListener('input', () => {
  $('smoothing-value').textContent = smoothing.value;
  scheduleDraw();
});
$('download-json').addEventListener('click', () => {
  if (result !== undefined) download('lossflow.json', 'application/json', resultDocument(result));
});
$('download-csv').addEventListener('click', () => {
  if (result !== undefined) download('lossflow.csv', 'text/csv', resultCsv(result));
});
$('download-svg').addEventListener('click', () =>
  download('lossflow-epochs.svg', 'image/svg+xml', epochChartSvg()),
);
$('download-png').addEventListener('click', () => {
  const svg = epochChartSvg();
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = image.width * 2;
    canvas.height = image.height * 2;
    const context = canvas.getContext('2d')!;
    context.scale(2, 2);
    context.drawImage(image, 0, 0);
    canvas.toBlob((blob) => {
      if (blob !== null) download('lossflow-epochs.png', 'image/png', blob);
    }, 'image/png');
  };
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
});
void LOSSES;
renderOptions();
setState('idle');
