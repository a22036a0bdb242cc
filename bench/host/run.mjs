/* global console, process */
// Host rows of `npm run bench`: starts code-server (the project's VS Code host, scripts/host/lib.mjs) with the
// PRODUCTION build loaded as a development extension and bench/host/entry.ts as extensionTestsPath, then loads the
// workbench `--iterations` times. Every load is a fresh extension host, so each one times a cold activation;
// the first also streams a fake server's answer into a real editor (`--runs` times).
// usage: node bench/host/run.mjs --out FILE [--iterations N] [--runs N] [--busy-runs N] [--paced-runs N] [--timeout SEC] [--compare-apis]
//   RA_BENCH_PROFILE=DIR  also write CPU profiles of the extension host (per streaming run) and of the workbench's
//                         renderer, each run's window and batch times on the monotonic clock, and the websocket frames
//   --busy-runs     streaming runs with one core kept busy by another process, in turn with the others (default: --runs)
//   --compare-apis  stream through TextEditor.edit and WorkspaceEdit on alternate runs (default: the adapter's choice)
//   --paced-runs    streaming runs at a model's pace (--paced-tps, default 100 tokens/s, 4 s each) after the others,
//                   from a second fake server (default: --runs)
// Writes {activation, control, load, logActivation, streaming, busyStreaming, pacedStreaming, warmup, activatedDuringWarmup, applyEditMs, editorEditMs, errors} (arrays of samples) to FILE.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareExtension } from '../../scripts/host/devext.mjs';
import { startFakeServer } from '../../scripts/host/fakeserver.mjs';
import { ensureHost } from '../../scripts/host/install.mjs';
import { ROOT, createRun, launchChromium, log, sleep, startCodeServer, workbenchUrl } from '../../scripts/host/lib.mjs';

const { values: opt } = parseArgs({
  options: {
    out: { type: 'string' },
    iterations: { type: 'string', default: '5' },
    runs: { type: 'string', default: '5' },
    'busy-runs': { type: 'string' },
    timeout: { type: 'string', default: '180' },
    tps: { type: 'string', default: '2000' },
    tokens: { type: 'string', default: '4000' },
    'paced-runs': { type: 'string' },
    'paced-tps': { type: 'string', default: '100' },
    'compare-apis': { type: 'boolean', default: false },
  },
});

/** Every "activated in X ms" line of our log channel, across all extension hosts of this run. */
function activationLines(dir, pattern = /activated in ([\d.]+) ms/g, value = Number) {
  const found = [];
  if (!fs.existsSync(dir)) return found;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.log')) continue;
    const text = fs.readFileSync(path.join(e.parentPath ?? e.path, e.name), 'utf8');
    for (const m of text.matchAll(pattern)) found.push(value(m[1]));
  }
  return found;
}

const out = {
  activation: [],
  control: [],
  load: [],
  logActivation: [],
  featuresLoadMs: [],
  featuresCodeCache: [],
  streaming: [],
  busyStreaming: [],
  pacedStreaming: [],
  warmup: undefined,
  activatedDuringWarmup: [],
  applyEditMs: [],
  editorEditMs: [],
  errors: [],
  iterations: 0,
};
const run = createRun('bench');
let server;
let browser;
let fake;
let pacedFake;
try {
  const installed = ensureHost();
  if (installed.length) log(`installed: ${installed.join(', ')}`);
  const ext = await prepareExtension(run.dir, { production: true });
  // The control: an empty extension activated in the same host as ours (entry.ts), to tell the host's own
  // activation cost from ours. Installed in the host's extensions folder (the web workbench takes one
  // development extension only).
  const control = path.join(run.stateDir, 'ext', 'bench.activation-control-0.0.1');
  fs.mkdirSync(control, { recursive: true });
  fs.writeFileSync(
    path.join(control, 'package.json'),
    JSON.stringify({
      name: 'activation-control',
      publisher: 'bench',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      main: './extension.js',
      activationEvents: [],
    }),
  );
  fs.writeFileSync(path.join(control, 'extension.js'), 'exports.activate = () => {};\n');
  const entry = path.join(run.dir, 'bench', 'entry.js');
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'bench/host/entry.ts')],
    outfile: entry,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const ws = path.join(run.dir, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  fs.writeFileSync(path.join(ws, 'README.md'), '# bench workspace\n');
  // The answer: `--tokens` tokens of 4 characters (1 token each in the fake's tokenizer), numbered so the
  // entry can match every token's arrival with its appearance in the document.
  const streamingFake = async (name, tokens, tps) => {
    const replyFile = path.join(run.dir, `${name}.txt`);
    const words = Array.from({ length: tokens }, (_, i) => `t${i.toString(36).padStart(3, '0')}`);
    fs.writeFileSync(replyFile, words.map((w, i) => (i % 12 === 11 ? `${w}\n` : `${w} `)).join(''));
    const started = await startFakeServer({
      flavour: 'llamacpp',
      extraArgs: ['--ctx', '32768', '--slots', '1', '--tps', String(tps), '--reply-file', replyFile],
    });
    log(`fake llama.cpp server at ${started.url}: ${tokens} tokens at ${tps} tokens/s`);
    return started;
  };
  fake = await streamingFake('reply', Number(opt.tokens), Number(opt.tps));
  // A model's own pace (a 4B model on a laptop GPU streams some 30–150 tokens/s): 4 seconds of it per run.
  const pacedRuns = Number(opt['paced-runs'] ?? opt.runs);
  if (pacedRuns > 0) pacedFake = await streamingFake('paced', Number(opt['paced-tps']) * 4, Number(opt['paced-tps']));
  const benchDir = path.join(run.dir, 'bench');
  fs.mkdirSync(benchDir, { recursive: true });
  // RA_BENCH_SETTINGS='{"editor.minimap.enabled":false}': extra user settings, to see which part of the workbench
  // the streaming lag waits for (not for the bench's own rows, which use VS Code's defaults).
  const settings = JSON.parse(process.env.RA_BENCH_SETTINGS ?? '{}');
  server = await startCodeServer({
    stateDir: run.stateDir,
    tmp: run.tmp,
    settings,
    env: { RA_BENCH_DIR: benchDir, RA_BENCH_FAKE_URL: fake.url, ...(pacedFake ? { RA_BENCH_PACED_URL: pacedFake.url } : {}) },
  });
  log(`code-server on ${server.url} (run ${run.id})`);
  browser = await launchChromium(path.join(run.dir, 'chromium'));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let onExit = () => {};
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (type === 'error') console.error('[host]', ...(Array.isArray(args) ? args : [args]));
  });
  await page.exposeFunction('codeAutomationExit', (code) => onExit(code));
  const iterations = Number(opt.iterations);
  const results = () => fs.readdirSync(benchDir).filter((f) => /^result-\d+\.json$/.test(f)).length;
  // One workbench load per sample (the web workbench has no command to restart only the extension host).
  for (let attempt = 0; results() < iterations && attempt < iterations + 2; attempt++) {
    const next = results();
    fs.writeFileSync(
      path.join(benchDir, 'control.json'),
      JSON.stringify({
        iteration: next,
        runs: next === 0 ? Number(opt.runs) : 0,
        busyRuns: next === 0 ? Number(opt['busy-runs'] ?? opt.runs) : 0,
        pacedRuns: next === 0 ? pacedRuns : 0,
        compareApis: opt['compare-apis'],
      }),
    );
    const exited = new Promise((resolve) => (onExit = resolve));
    const t0 = Date.now();
    await page.goto('about:blank');
    await page.goto(workbenchUrl(server, { folder: ws, devExt: ext, testsPath: entry }));
    // RA_BENCH_PROFILE=DIR: CPU profile of the workbench's renderer main thread while the streaming host runs.
    const profileDir = process.env.RA_BENCH_PROFILE;
    const cdp = profileDir && next === 0 ? await page.context().newCDPSession(page) : undefined;
    const frames = [];
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
      await cdp.send('Profiler.start');
      // Every websocket frame the workbench exchanges (the extension host's messages among them), timestamped.
      const onFrame = (dir) => (e) => frames.push([dir, e.requestId, Math.round(e.timestamp * 1e6), e.response.payloadData.length]);
      cdp.on('Network.webSocketFrameReceived', onFrame('in'));
      cdp.on('Network.webSocketFrameSent', onFrame('out'));
      await cdp.send('Network.enable');
    }
    // done when the host exits (last sample), or when no new sample arrived for `--timeout` seconds
    let seen = results();
    let last = Date.now();
    for (;;) {
      const r = await Promise.race([exited, sleep(1000).then(() => undefined)]);
      if (r !== undefined) break;
      if (results() !== seen) {
        seen = results();
        last = Date.now();
        log(`sample ${seen}/${iterations} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      if (Date.now() - last > Number(opt.timeout) * 1000) {
        out.errors.push(`no new sample in ${opt.timeout} s (attempt ${attempt + 1})`);
        break;
      }
    }
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(path.join(process.env.RA_BENCH_PROFILE, 'renderer.cpuprofile'), JSON.stringify(profile));
      fs.writeFileSync(path.join(process.env.RA_BENCH_PROFILE, 'frames.json'), JSON.stringify(frames));
    }
  }
  for (const f of fs
    .readdirSync(benchDir)
    .filter((n) => /^result-\d+\.json$/.test(n))
    .sort()) {
    const res = JSON.parse(fs.readFileSync(path.join(benchDir, f), 'utf8'));
    out.iterations += 1;
    if (res.error) out.errors.push(`sample ${res.iteration + 1}: ${res.error}`);
    if (res.activation?.activateMs !== undefined) out.activation.push(res.activation.activateMs);
    if (res.activation?.controlMs !== undefined) out.control.push(res.activation.controlMs);
    if (res.activation?.loadMs !== undefined) out.load.push(res.activation.loadMs);
    if (res.activation?.alreadyActive) out.errors.push(`sample ${res.iteration + 1}: the extension was already active`);
    if (res.streaming) {
      out.streaming = res.streaming.runs;
      out.busyStreaming = res.streaming.busyRuns ?? [];
      out.pacedStreaming = res.streaming.pacedRuns ?? [];
      out.warmup = res.streaming.warmup;
      out.activatedDuringWarmup = res.streaming.activatedDuringWarmup ?? [];
      out.settleMs = res.streaming.settleMs;
      out.applyEditMs = res.streaming.applyEditMs;
      out.editorEditMs = res.streaming.editorEditMs ?? [];
    }
  }
} catch (e) {
  out.errors.push(`harness: ${e.stack ?? e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.stop();
  if (fake) fake.stop();
  if (pacedFake) pacedFake.stop();
  out.logActivation = activationLines(path.join(run.stateDir, 'ud/logs'));
  // Loading dist/features.js (first command, CodeLens or status-bar probe) blocks the host that long: part of the warm-up.
  out.featuresLoadMs = activationLines(path.join(run.stateDir, 'ud/logs'), /Features loaded in ([\d.]+) ms/g);
  // Whether each window compiled the feature bundle from V8's code cache (used / none / rejected).
  out.featuresCodeCache = activationLines(path.join(run.stateDir, 'ud/logs'), /Features loaded in [\d.]+ ms, code cache: (\w+)/g, String);
  if (opt.out) fs.writeFileSync(path.resolve(opt.out), JSON.stringify(out));
  else console.log(JSON.stringify(out));
  run.cleanup();
}
process.exit(0);
