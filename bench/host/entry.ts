/**
 * Bench entry inside the real extension host (code-server), loaded as extensionTestsPath by bench/host/run.mjs.
 * Each workbench load is a fresh extension host: it times the activation of the (production) extension, and on the first
 * load also streams a fake server's answer into a real editor through the extension's own streaming adapter.
 * Environment (from run.mjs through code-server): RA_BENCH_DIR (control and result files), RA_BENCH_FAKE_URL.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import {
  BATCH_MS,
  DEFAULT_CONFIG,
  connect,
  isoDate,
  nullLogger,
  resolveConfig,
  streamIntoEditor,
  systemClock,
  type ActionResult,
  type BatchTiming,
  type BlockSpec,
} from '../../src/core';
import { VsCodeDocumentEditor } from '../../src/vscode/adapters/vscodeDocumentEditor';
import { EXTENSION_ID } from '../../src/vscode/constants';

interface Control {
  readonly iteration: number;
  /** Streaming repeats, done in the first host only. */
  readonly runs: number;
  /** Alternate the adapter's two edit paths run by run (TextEditor.edit on even runs, WorkspaceEdit on odd ones). */
  readonly compareApis?: boolean;
  /** Streaming repeats with one core kept busy by another process, alternating with the `runs` ones. */
  readonly busyRuns?: number;
  /** Streaming repeats at a model's pace (a second fake server, RA_BENCH_PACED_URL), after the others. */
  readonly pacedRuns?: number;
}

/** Tokens of the fake's reply look like `t0a3`: 4 characters = exactly 1 token in the fake's tokenizer. */
const TOKEN = /\bt[0-9a-z]{3}\b/g;

/** An empty extension (bench/host/run.mjs writes it) activated in the same host: what any extension pays there. */
const CONTROL_ID = 'bench.activation-control';

async function timeActivate(id: string): Promise<number | undefined> {
  const ext = vscode.extensions.getExtension(id);
  if (!ext) throw new Error(`${id} is not loaded`);
  if (ext.isActive) return undefined;
  const t0 = performance.now();
  await ext.activate();
  return performance.now() - t0;
}

async function activation(iteration: number): Promise<Record<string, unknown>> {
  // Ours and the control in turn, the order alternating per host, so neither always meets the busier host.
  const oursFirst = iteration % 2 === 0;
  const first = await timeActivate(oursFirst ? EXTENSION_ID : CONTROL_ID);
  const second = await timeActivate(oursFirst ? CONTROL_ID : EXTENSION_ID);
  const activateMs = oursFirst ? first : second;
  const controlMs = oursFirst ? second : first;
  if (activateMs === undefined) return { alreadyActive: true };
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  // Loading the bundle alone: a copy of dist/extension.js evaluated by this host's require (a copy, so the
  // module cache cannot make it free). Its activate() is not called.
  const copy = path.join(process.env['RA_BENCH_DIR'] ?? '', `extension-copy-${Date.now()}.js`);
  fs.copyFileSync(path.join(ext?.extensionPath ?? '', 'dist', 'extension.js'), copy);
  const t1 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(copy);
  return { activateMs, controlMs, loadMs: performance.now() - t1 };
}

interface StreamRun {
  tokens: number;
  arrivalSpanMs: number;
  visibleSpanMs: number;
  lags: number[];
  edits: number;
  /** Each document change during the run: ms after the first arrival, characters inserted / removed. */
  editLog: [number, number, number][];
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Each streamed batch: [queued, sent to applyEdit, applyEdit resolved] in ms after the first arrival, characters. */
  batches: [number, number, number, number][];
  /** Garbage collections in the extension host during the run: [start ms after the first arrival, duration ms]. */
  gc: [number, number][];
  /** ms from showing the document (fresh host) to the first arrival: warm-up left to the workbench. */
  sinceShownMs: number;
  /** performance.now() of the first arrival (the batches' and the edit log's zero). */
  firstArrivalAt: number;
  via: 'editor' | 'workspaceEdit';
  /** Least time between two streamed edits in this run. */
  batchMs: number;
  /** The machine's 1-minute load average when the run started. */
  loadAverage: number;
  /** Another process kept one core busy during the run. */
  busyCore: boolean;
}

/**
 * Keeps one core busy, as a model server on the same machine does while it generates: a node process
 * spinning in a loop. It ends itself after `maxMs` should the host die before killing it.
 */
async function startBusyCore(maxMs: number): Promise<() => void> {
  const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`], {
    stdio: 'ignore',
    env: { PATH: process.env['PATH'] ?? '' },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // Let the scheduler see it spinning before the stream starts.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}

async function streamOnce(
  document: vscode.TextDocument,
  url: string,
  rep: number,
  shownAt: number,
  viaEditor: boolean,
  busyCore = false,
): Promise<StreamRun> {
  const loadAverage = os.loadavg()[0] ?? NaN;
  const stopBusy = busyCore ? await startBusyCore(60_000) : undefined;
  const profileDir = process.env['RA_BENCH_PROFILE'];
  const profiler = profileDir ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
    await profiler.post('Profiler.start');
  }
  // The run's window on the monotonic clock the renderer's profile uses too (µs).
  const startedUs = Number(process.hrtime.bigint() / 1000n);
  const startedAt = performance.now();
  let result: StreamRun | undefined;
  try {
    result = await streamMeasured(document, url, rep, shownAt, viaEditor, loadAverage, busyCore);
    return result;
  } finally {
    if (profileDir) {
      const us = (relMs: number): number => Math.round(startedUs + (relMs + (result?.firstArrivalAt ?? 0) - startedAt) * 1000);
      fs.writeFileSync(
        path.join(profileDir, `window-${rep}${busyCore ? '-busy' : ''}.json`),
        JSON.stringify({
          startUs: startedUs,
          endUs: Number(process.hrtime.bigint() / 1000n),
          batchesUs: result?.batches.map(([q, sent, done, chars]) => [us(q), us(sent), us(done), chars]),
          changesUs: result?.editLog.map(([t, ins, del]) => [us(t), ins, del]),
        }),
      );
    }
    stopBusy?.();
    if (profiler && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.writeFileSync(path.join(profileDir, `stream-${rep}${busyCore ? '-busy' : ''}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
    }
  }
}

async function streamMeasured(
  document: vscode.TextDocument,
  url: string,
  rep: number,
  shownAt: number,
  viaEditor: boolean,
  loadAverage: number,
  busyCore: boolean,
): Promise<StreamRun> {
  // A generous probe timeout: on a loaded machine the fake server may answer its first probe slowly.
  const session = await connect(
    { config: resolveConfig({ ...DEFAULT_CONFIG, endpoint: url }), probeTimeoutMs: 15_000 },
    new AbortController().signal,
  );
  // RA_BENCH_BATCH_MS="33,16": the runs cycle through these least intervals between edits (default BATCH_MS).
  const intervals = (process.env['RA_BENCH_BATCH_MS'] ?? '').split(',').filter(Boolean).map(Number);
  const batchMs = intervals.length > 0 ? (intervals[Math.max(rep, 0) % intervals.length] ?? BATCH_MS) : BATCH_MS;
  const arrival = new Map<string, number>();
  const visible = new Map<string, number>();
  let edits = 0;
  const editLog: [number, number, number][] = [];
  const sub = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document !== document) return;
    const now = performance.now();
    edits += 1;
    for (const c of e.contentChanges) editLog.push([now, c.text.length, c.rangeLength]);
    for (const c of e.contentChanges) for (const m of c.text.matchAll(TOKEN)) if (!visible.has(m[0])) visible.set(m[0], now);
  });
  const spec: BlockSpec = {
    kind: 'summary',
    style: 'callout',
    title: 'Summary',
    attributes: { target: `bench-${rep}`, sources: ['bench'], model: session.info.model, date: isoDate(new Date()) },
  };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const batches: BatchTiming[] = [];
  const gcs: [number, number][] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.startTime, e.duration]);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  try {
    await streamIntoEditor({
      editor: new VsCodeDocumentEditor(document, { viaEditor }),
      spec,
      anchorOffset: document.getText().length,
      onCancel: 'remove',
      logger: nullLogger,
      clock: systemClock,
      onBatch: (b) => batches.push(b),
      batchMs,
      generate: async (sink): Promise<ActionResult> => {
        const stream = session.stream(
          { messages: [{ role: 'user', content: `bench run ${rep}` }], maxTokens: 8000, temperature: 0 },
          new AbortController().signal,
        );
        for await (const delta of stream) {
          const now = performance.now();
          for (const m of delta.matchAll(TOKEN)) if (!arrival.has(m[0])) arrival.set(m[0], now);
          sink(delta);
        }
        const r = await stream.result;
        return { text: r.text, model: r.model, fromCache: false, finishReason: r.finishReason, warnings: [], requests: 1, parts: 1 };
      },
    });
  } finally {
    loop.disable();
    gcObserver.disconnect();
    sub.dispose();
  }
  const lags: number[] = [];
  let firstArrival = Infinity;
  let lastArrival = 0;
  let lastVisible = 0;
  for (const [token, at] of arrival) {
    const seen = visible.get(token);
    if (seen === undefined) throw new Error(`token ${token} never became visible`);
    lags.push(seen - at);
    firstArrival = Math.min(firstArrival, at);
    lastArrival = Math.max(lastArrival, at);
    lastVisible = Math.max(lastVisible, seen);
  }
  const log = editLog.map(([t, ins, del]): [number, number, number] => [Math.round(t - firstArrival), ins, del]);
  const rel = (t: number): number => Math.round((t - firstArrival) * 10) / 10;
  return {
    tokens: arrival.size,
    arrivalSpanMs: lastArrival - firstArrival,
    visibleSpanMs: lastVisible - firstArrival,
    lags,
    edits,
    editLog: log,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
    batches: batches.map((b): [number, number, number, number] => [rel(b.queuedAt), rel(b.sentAt), rel(b.doneAt), b.chars]),
    gc: gcs.filter(([t]) => t >= firstArrival - 100).map(([t, d]): [number, number] => [rel(t), Math.round(d * 10) / 10]),
    sinceShownMs: firstArrival - shownAt,
    firstArrivalAt: firstArrival,
    via: viaEditor ? 'editor' : 'workspaceEdit',
    batchMs,
    loadAverage,
    busyCore,
  };
}

/**
 * Round trip of one small edit (extension host → workbench → back): the floor under the lag. Both APIs,
 * alternating: workspace.applyEdit (what the adapter uses for a document without a visible editor) and
 * TextEditor.edit.
 */
async function editRoundTrips(document: vscode.TextDocument, n: number): Promise<{ applyEdit: number[]; editorEdit: number[] }> {
  const applyEdit: number[] = [];
  const editorEdit: number[] = [];
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
  for (let i = 0; i < n; i++) {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, document.positionAt(document.getText().length), 'x');
    let t0 = performance.now();
    await vscode.workspace.applyEdit(edit);
    applyEdit.push(performance.now() - t0);
    if (!editor) continue;
    t0 = performance.now();
    await editor.edit((b) => b.insert(document.positionAt(document.getText().length), 'y'));
    editorEdit.push(performance.now() - t0);
  }
  return { applyEdit, editorEdit };
}

interface StreamingResult {
  /** The first stream after the window opened, not counted in `runs` (see bench/README.md). */
  warmup: StreamRun;
  /** Extensions that became active while the warm-up stream ran: work the host did meanwhile. */
  activatedDuringWarmup: string[];
  /** ms after the warm-up until small edits came back promptly (the window had settled). */
  settleMs: number;
  runs: StreamRun[];
  /** The same with one core kept busy by another process (run in turn with `runs`). */
  busyRuns: StreamRun[];
  /** The same at a model's pace (100 tokens/s unless run.mjs says otherwise), after the others. */
  pacedRuns: StreamRun[];
  applyEditMs: number[];
  editorEditMs: number[];
}

/**
 * Waits until the window has settled after start-up: 5 small edits in a row each come back within 100 ms
 * (at most 20 s). The measured runs then time streaming, not the workbench's start-up.
 */
async function settle(document: vscode.TextDocument): Promise<number> {
  const t0 = performance.now();
  let quick = 0;
  while (quick < 5 && performance.now() - t0 < 20_000) {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, document.positionAt(document.getText().length), 's');
    const t = performance.now();
    await vscode.workspace.applyEdit(edit);
    quick = performance.now() - t < 100 ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - t0;
}

const activeExtensions = (): Set<string> => new Set(vscode.extensions.all.filter((e) => e.isActive).map((e) => e.id));

async function streaming(
  url: string,
  runs: number,
  busyRuns: number,
  compareApis: boolean,
  paced: { readonly url: string; readonly runs: number },
): Promise<StreamingResult> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder');
  const file = vscode.Uri.joinPath(folder.uri, 'bench-stream.md');
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('# Streaming bench\n\nA paragraph the answer goes under.\n'));
  const document = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(document);
  const shownAt = performance.now();
  const before = activeExtensions();
  const warmup = await streamOnce(document, url, -1, shownAt, false);
  const activatedDuringWarmup = [...activeExtensions()].filter((id) => !before.has(id));
  const settleMs = await settle(document);
  const out: StreamRun[] = [];
  const busy: StreamRun[] = [];
  const initial = document.getText();
  /** Every measured run starts from the same note in a window that has digested the previous run. */
  const reset = async (): Promise<void> => {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), initial);
    await vscode.workspace.applyEdit(edit);
    await settle(document);
  };
  // Idle and busy-core runs in turn, so both meet the same moments of a shared machine.
  for (let i = 0; i < Math.max(runs, busyRuns); i++) {
    if (i < runs) {
      if (i > 0) await reset();
      out.push(await streamOnce(document, url, i, shownAt, compareApis && i % 2 === 0));
    }
    if (i < busyRuns) {
      await reset();
      busy.push(await streamOnce(document, url, runs + i, shownAt, false, true));
    }
  }
  const pacedOut: StreamRun[] = [];
  for (let i = 0; i < paced.runs && paced.url; i++) {
    await reset();
    pacedOut.push(await streamOnce(document, paced.url, runs + busyRuns + i, shownAt, false));
  }
  const rt = await editRoundTrips(document, 20);
  // The next windows (activation samples) must open with no markdown editor: a restored one would activate the
  // extension (onLanguage:markdown) before its activation is timed.
  await document.save();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  return {
    warmup,
    activatedDuringWarmup,
    settleMs,
    runs: out,
    busyRuns: busy,
    pacedRuns: pacedOut,
    applyEditMs: rt.applyEdit,
    editorEditMs: rt.editorEdit,
  };
}

export async function run(): Promise<void> {
  const dir = process.env['RA_BENCH_DIR'] ?? '';
  const control = JSON.parse(fs.readFileSync(path.join(dir, 'control.json'), 'utf8')) as Control;
  const result: Record<string, unknown> = { iteration: control.iteration };
  try {
    result['activation'] = await activation(control.iteration);
    if (control.iteration === 0 && (control.runs > 0 || (control.busyRuns ?? 0) > 0))
      result['streaming'] = await streaming(
        process.env['RA_BENCH_FAKE_URL'] ?? '',
        control.runs,
        control.busyRuns ?? 0,
        control.compareApis === true,
        { url: process.env['RA_BENCH_PACED_URL'] ?? '', runs: control.pacedRuns ?? 0 },
      );
  } catch (error) {
    result['error'] = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  }
  fs.writeFileSync(path.join(dir, `result-${control.iteration}.json`), JSON.stringify(result));
  // Give the log channel time to reach its file ("activated in X ms" is read from there afterwards).
  await new Promise((resolve) => setTimeout(resolve, 1500));
}
