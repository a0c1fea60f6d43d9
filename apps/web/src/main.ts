import './style.css';
import { readBatches } from '@lossflow/arrow';
import { LOSSES, lossDescriptor } from '@lossflow/core';
import type { GroupKey } from '@lossflow/rx';
import ComputeWorker from './computeWorker.ts?worker&inline';
import { duplicateFile } from './duplicateFile.js';
import { emaSmoothing } from './emaSmoothing.js';
import { type RunProgress, type RunResult, runEval } from './evalRun.js';
import type { EvalSpec } from './evalSpec.js';
import { FrameThrottle } from './FrameThrottle.js';
import { type ChartSeries, lineChart, PALETTE } from './lineChart.js';
import { lossOptionsForm, lossPicker, readLossForm } from './lossForm.js';
import { failureMessage, RunFailure } from './RunFailure.js';
import { resultCsv, resultDocument } from './resultDocument.js';
import { WarmWorkers } from './WarmWorkers.js';
import { errorData } from './workerMessages.js';

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
/** The workers the number in the form asks for. */
const threadCount = (): number => Math.max(1, Math.min(32, Number(threadsInput.value) || 1));
/**
 * Workers started once files are ready and kept after a run that ends well, so Evaluate reads at
 * once instead of first waiting for its workers to start.
 */
const warm = new WarmWorkers(() => new ComputeWorker());
threadsInput.addEventListener('change', () => {
  if (warm.size > 0) warm.prepare(threadCount());
});
$('loss-list').insertAdjacentHTML('beforeend', lossPicker());

let files: File[] = [];
let columnNames: string[] = [];
let running: AbortController | undefined;
/** The current run's number: a run whose number is no longer this one was replaced and touches nothing. */
let runId = 0;
/** The current choice of files: an older choice still opening its files is dropped. */
let choiceId = 0;
/** Why the chosen files cannot be evaluated (one does not open, one comes twice), or undefined. */
let filesProblem: string | undefined;
let result: RunResult | undefined;
/** What the shown result was computed with: the chart's title and labels come from it, not the form. */
let shown: { title: string; by: string } = { title: 'loss', by: '' };
/** Live series: per loss, per group key, the running value after each batch (x: rows of the group). */
let epochSeries = new Map<GroupKey, { x: number[]; y: number[] }>();
let batchX: number[] = [];
let batchY: number[] = [];

function setState(state: 'idle' | 'ready' | 'running' | 'done' | 'error' | 'cancelled'): void {
  document.body.dataset.state = state;
  const busy = state === 'running';
  startButton.disabled = busy || files.length === 0 || filesProblem !== undefined;
  cancelButton.disabled = !busy;
  // The options of a run cannot change under it: its form is locked until it ends.
  for (const set of $('setup').querySelectorAll<HTMLFieldSetElement>('fieldset')) set.disabled = busy;
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

/** A labelled `<select>` of the file's columns, built as DOM (column names are data, never markup). */
function columnSelect(id: string, label: string, auto: string, role: string | undefined): HTMLDivElement {
  const row = document.createElement('div');
  row.className = 'row';
  const labelEl = document.createElement('label');
  labelEl.htmlFor = id;
  labelEl.textContent = label;
  const select = document.createElement('select');
  select.id = id;
  if (role !== undefined) select.dataset.role = role;
  select.append(new Option(auto, ''), ...columnNames.map((c) => new Option(c, c)));
  row.append(labelEl, select);
  return row;
}

function renderColumns(): void {
  const before = new Map(
    [...columnsBox.querySelectorAll<HTMLSelectElement>('select')].map((s) => [s.id, s.value]),
  );
  const roles = new Set<string>();
  for (const name of checkedLosses()) for (const r of lossDescriptor(name)!.roles) roles.add(r.name);
  const legend = document.createElement('legend');
  legend.textContent = 'Columns';
  columnsBox.replaceChildren(
    legend,
    ...[...roles].map((r) => columnSelect(`col-${r}`, r, 'auto-detect', r)),
    columnSelect('col-by', 'group by', '(no grouping)', undefined),
  );
  for (const s of columnsBox.querySelectorAll<HTMLSelectElement>('select')) {
    const v = before.get(s.id);
    if (v !== undefined && [...s.options].some((o) => o.value === v)) s.value = v;
  }
  const by = $<HTMLSelectElement>('col-by');
  if ((before.get('col-by') ?? '') === '' && columnNames.includes('epoch')) by.value = 'epoch';
}

/** Ends the current run, if any, without a word on the page: what replaces it says what happens. */
function dropRun(): void {
  runId++;
  running?.abort();
  running = undefined;
}

/** Clears the values on show (charts, table, downloads): they belong to a run that is over. */
function clearResult(): void {
  result = undefined;
  epochSeries = new Map();
  batchX = [];
  batchY = [];
  $('epoch-chart').replaceChildren();
  $('batch-chart').replaceChildren();
  epochTable([]);
}

async function chooseFiles(list: FileList | File[]): Promise<void> {
  // New files during a run cancel it: its values would be shown under the new files' names.
  dropRun();
  const choice = ++choiceId;
  files = [...list];
  filesProblem = undefined;
  const listing = files.map((f) => `${f.name} (${formatBytes(f.size)})`).join(', ');
  $('file-list').textContent = files.length === 0 ? 'No file chosen.' : listing;
  errorBox.hidden = true;
  clearResult();
  progressBar.value = 0;
  columnNames = [];
  // Nothing starts until every file has opened.
  filesProblem = 'opening';
  setState('idle');
  filesProblem = duplicateFile(files);
  let described = '';
  for (const [k, file] of files.entries()) {
    if (filesProblem !== undefined) break;
    const reader = readBatches(file);
    try {
      const schema = await reader.schema();
      if (k === 0) {
        columnNames = schema.fields.map((f) => f.name);
        described = `${await reader.format()}, columns ${schema.fields
          .map((f) => `${f.name} (${String(f.type)})`)
          .join(', ')}`;
      }
    } catch (e) {
      // Worded as a run's errors are: a whole file that does not open names no batch.
      filesProblem = failureMessage({ ...errorData(e), file: file.name, batch: undefined });
    } finally {
      await reader.close();
    }
    if (choice !== choiceId) return;
  }
  if (filesProblem !== undefined) showError(filesProblem);
  statusBox.textContent =
    files.length === 0
      ? 'Choose a file to start.'
      : filesProblem === undefined
        ? `${files.length} file${files.length === 1 ? '' : 's'}: ${described}.`
        : 'These files cannot be evaluated.';
  renderColumns();
  setState(files.length === 0 ? 'idle' : filesProblem === undefined ? 'ready' : 'error');
  if (state() === 'ready') warm.prepare(threadCount());
}

/** The page's state (`data-state` on the body). */
function state(): string | undefined {
  return document.body.dataset.state;
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
  dropRun();
  const id = runId;
  // Every callback and every continuation after an await first checks that its run is the current one.
  const current = (): boolean => id === runId;
  clearResult();
  errorBox.hidden = true;
  shown = { title: lossTitle(), by: s.by ?? '' };
  const controller = new AbortController();
  running = controller;
  setState('running');
  const threads = threadCount();
  warm.prepare(threads);
  let rowsSeen = 0;
  // Progress comes per batch merged; the page shows the latest with the charts, in the frames of
  // `frames` (setting the text lays the page out again, and a run of small batches would spend
  // the main thread on it).
  let shownProgress: RunProgress | undefined;
  showProgress = (): void => {
    const p = shownProgress;
    if (p === undefined || !current() || running !== controller) return;
    progressBar.max = Math.max(1, p.totalBytes);
    progressBar.value = p.bytesRead;
    const seconds = p.elapsed / 1000;
    statusBox.textContent = `Reading: ${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)}, ${p.rows.toLocaleString('en-US')} rows computed, ${Math.round(p.rows / Math.max(seconds, 1e-3)).toLocaleString('en-US')} rows/s, ${threads} workers.`;
  };
  try {
    result = await runEval(files, s, {
      workers: () => warm.take(),
      // Only a run that ended well hands its workers back: none has work left.
      keep: (workers) => warm.keep(workers),
      threads,
      signal: controller.signal,
      onProgress: (p) => {
        if (!current()) return;
        shownProgress = p;
        // For the browser tests: whether the workers walked the stream themselves.
        document.body.dataset.headers = String(p.headers);
        frames.request();
      },
      onChunk: (loss, chunk, value, groups) => {
        if (loss !== 0 || !current()) return;
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
        frames.request();
      },
    });
    if (!current()) return;
    statusBox.textContent = `Done: ${result.rows.toLocaleString('en-US')} rows of ${result.files.length} file${result.files.length === 1 ? '' : 's'}. ${result.results
      .map((r) => `${r.loss} (${r.reduction}) = ${r.value}`)
      .join('; ')}`;
    progressBar.value = progressBar.max;
    setState('done');
    draw();
  } catch (e) {
    if (!current()) return;
    const cancelled = e instanceof RunFailure && e.code === 'ABORTED';
    statusBox.textContent = cancelled ? 'Cancelled: no result.' : 'Failed: no result.';
    if (!cancelled) showError(e instanceof Error ? e.message : String(e));
    setState(cancelled ? 'cancelled' : 'error');
    // Partial values are never left on show as if they were the result.
    clearResult();
  } finally {
    if (current()) running = undefined;
  }
}

/**
 * Milliseconds between two updates of the page while a run goes: an update lays the page out,
 * rebuilds every curve and paints it, and on a machine with few cores each one takes time from
 * the workers (four a second still look live).
 */
const UPDATE_EVERY = 250;
/** The running run's progress line (nothing between runs). */
let showProgress = (): void => undefined;
/** The progress line and the charts, updated together at most every {@link UPDATE_EVERY} ms. */
const frames = new FrameThrottle(() => {
  showProgress();
  draw();
}, UPDATE_EVERY);

function lossTitle(): string {
  const first = checkedLosses()[0];
  return first === undefined ? 'loss' : (lossDescriptor(first)?.cliName ?? first);
}

/** The size of a downloaded chart, whatever the window's: the same file from any screen. */
const EXPORT_SIZE = { width: 1200, height: 600 } as const;

function epochChartSvg(size: { width: number; height?: number } = { width: chartWidth() }): string {
  const series: ChartSeries[] = [...epochSeries].map(([key, s], i) => ({
    // A run without a key draws one curve: the running total over all rows (`runningTotal`).
    label: shown.by === '' ? 'all rows' : `${shown.by} ${key}`,
    color: PALETTE[i % PALETTE.length]!,
    x: s.x,
    y: s.y,
  }));
  return lineChart(series, {
    title: `Running ${shown.title} ${shown.by === '' ? 'over all rows' : 'per group'}`,
    xLabel: shown.by === '' ? 'rows read' : 'rows into the group',
    ...size,
  });
}

function batchChartSvg(width = chartWidth()): string {
  const alpha = Number(smoothing.value);
  return lineChart(
    [
      { label: 'per batch', color: '#9a9a9a', x: batchX, y: batchY },
      { label: `EMA ${alpha}`, color: '#0b63c5', x: batchX, y: emaSmoothing(batchY, alpha) },
    ],
    { title: `${shown.title} per batch`, xLabel: 'rows read', width },
  );
}

/** The charts' width in CSS pixels: their box's, so text keeps its size in a narrow window. */
function chartWidth(): number {
  return Math.max(300, Math.min(900, Math.round($('epoch-chart').clientWidth || 640)));
}

/** Shows an SVG the page drew (its text escaped) as DOM, parsed as SVG and never as HTML. */
function showSvg(box: HTMLElement, svg: string): void {
  const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml');
  box.replaceChildren(document.importNode(parsed.documentElement, true));
}

/** Fills the per-group table (key, rows, loss, change against the group before), built as DOM. */
function epochTable(groups: readonly { key: unknown; rows: number; value: number }[]): void {
  const table = $('epochs');
  const caption = document.createElement('caption');
  caption.textContent = 'Per-group loss';
  if (groups.length === 0) {
    table.replaceChildren(caption);
    return;
  }
  const head = document.createElement('thead');
  const headRow = head.insertRow();
  for (const name of ['group', 'rows', 'loss', 'change']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = name;
    headRow.append(th);
  }
  const body = document.createElement('tbody');
  let previous: number | undefined;
  for (const g of groups) {
    const change =
      previous === undefined || previous === 0
        ? ''
        : `${(((g.value - previous) / Math.abs(previous)) * 100).toFixed(1)}%`;
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = String(g.key);
    row.append(th);
    row.insertCell().textContent = g.rows.toLocaleString('en-US');
    row.insertCell().textContent = g.value.toPrecision(6);
    const cell = row.insertCell();
    cell.textContent = change;
    if (change !== '') cell.className = g.value < previous! ? 'down' : 'up';
    previous = g.value;
  }
  table.replaceChildren(caption, head, body);
}

function draw(): void {
  const state = document.body.dataset.state;
  if (state !== 'running' && state !== 'done') return;
  // The width is read before the charts change: read after, it would lay the page out again.
  const width = chartWidth();
  showSvg($('epoch-chart'), epochChartSvg({ width }));
  showSvg($('batch-chart'), batchChartSvg(width));
  epochTable(
    result?.results[0]?.groups ??
      [...epochSeries].map(([key, s]) => ({ key, value: s.y.at(-1)!, rows: s.x.at(-1)! })),
  );
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
  frames.request();
});
$('download-json').addEventListener('click', () => {
  if (result !== undefined) download('lossflow.json', 'application/json', resultDocument(result));
});
$('download-csv').addEventListener('click', () => {
  if (result !== undefined) download('lossflow.csv', 'text/csv', resultCsv(result));
});
$('download-svg').addEventListener('click', () =>
  download('lossflow-epochs.svg', 'image/svg+xml', epochChartSvg(EXPORT_SIZE)),
);
$('download-png').addEventListener('click', () => {
  const svg = epochChartSvg(EXPORT_SIZE);
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
