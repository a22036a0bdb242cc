// The project's VS Code host: code-server 4.100.3 (VS Code 1.100.3's server + web workbench) driven by
// Debian's Chromium through playwright-core. @vscode/test-electron cannot download VS Code offline, so
// integration tests, UI tests and `npm start` all run through these helpers (see /work/shared/VSCODE-HOST.md).
//
// Every run gets its own directory .vscode-test/runs/<id>/ (server state, user settings, a fresh copy of the
// workspace, the built extension and tests) and a free port, so several runs can share the machine.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST_ROOT = path.resolve(process.env.VSCODE_HOST_ROOT || path.join(ROOT, '.vscode-test/host'));
export const CODE_SERVER_VERSION = '4.100.3'; // newest code-server whose engines.node is 20 (4.103+ need 22)
export const CODE_SERVER_BIN = process.env.CODE_SERVER_BIN || path.join(HOST_ROOT, 'cs/node_modules/.bin/code-server');
// /usr/lib/chromium/chromium is the real binary; /usr/bin/chromium is Debian's wrapper, which exports Google
// API keys and makes Chromium resolve google.com hosts in the background.
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/lib/chromium/chromium';
export const RUNS_DIR = path.join(ROOT, '.vscode-test/runs');

const T0 = Date.now();
export function log(...args) {
  console.log(`[host ${((Date.now() - T0) / 1000).toFixed(1).padStart(5)}s]`, ...args);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A per-run directory. The id is short on purpose: code-server puts unix sockets under TMPDIR and Linux
 * limits socket paths to 108 bytes; when the checkout path is long, TMPDIR moves to the system temp dir.
 */
export function createRun(kind) {
  const id = `${kind}-${randomBytes(3).toString('hex')}`;
  const dir = path.join(RUNS_DIR, id);
  fs.mkdirSync(dir, { recursive: true });
  let tmp = path.join(dir, 't');
  // 'vscode-ipc-' + uuid + '.sock' = 52 chars
  if (tmp.length + 53 > 100) tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-'));
  fs.mkdirSync(tmp, { recursive: true });
  const run = {
    id,
    dir,
    tmp,
    stateDir: path.join(dir, 'state'),
    cleanup() {
      if (process.env.KEEP_RUN) return log(`KEEP_RUN set: run directory kept at ${dir}`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  fs.mkdirSync(run.stateDir, { recursive: true });
  return run;
}

/** Removes run directories left behind by runs that died more than a day ago (crashes, kill -9). */
export function pruneOldRuns() {
  if (!fs.existsSync(RUNS_DIR)) return;
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of fs.readdirSync(RUNS_DIR)) {
    const p = path.join(RUNS_DIR, name);
    try {
      if (fs.statSync(p).mtimeMs < dayAgo) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      /* another run removed it */
    }
  }
}

/** Copies a workspace fixture so every run starts from identical files; generates its PDFs (see fixtures.mjs). */
export async function freshWorkspace(src, dest, pdfSpec) {
  fs.cpSync(src, dest, { recursive: true });
  if (pdfSpec) {
    const { generatePdfs } = await import('./fixtures.mjs');
    await generatePdfs(pdfSpec, dest);
  }
  return dest;
}

/** Default user settings: no network, no auto-save (auto-save races explicit saves under load, see VSCODE-HOST.md §8). */
export const BASE_USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'files.autoSave': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
};

/**
 * Starts code-server isolated from $HOME and from the network. Resolves once it logs "HTTP server listening".
 * Environment given here reaches the extension host (tests read their result file and grep from it).
 */
export async function startCodeServer({ stateDir, tmp, port, env = {}, settings = {}, extraArgs = [], verbose = false }) {
  port = port || (await freePort());
  for (const d of ['ud/User', 'ud/Machine', 'ext', 'xdg']) fs.mkdirSync(path.join(stateDir, d), { recursive: true });
  // a config file of our own, or code-server writes ~/.config/code-server/config.yaml
  fs.writeFileSync(path.join(stateDir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  // code-server keeps user settings on the server side
  fs.writeFileSync(path.join(stateDir, 'ud/User/settings.json'), JSON.stringify({ ...BASE_USER_SETTINGS, ...settings }, null, 2));
  // The workbench is a remote window (vscode-remote:// URIs): machine-scoped settings such as
  // researchAssistant.endpoint belong in the remote (Machine) settings, where a remote window reads them;
  // from the user settings alone the endpoint was now and then not applied.
  fs.writeFileSync(path.join(stateDir, 'ud/Machine/settings.json'), JSON.stringify(settings, null, 2));
  const childEnv = { ...process.env };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete childEnv[k];
  Object.assign(childEnv, {
    XDG_CONFIG_HOME: path.join(stateDir, 'xdg/config'),
    XDG_DATA_HOME: path.join(stateDir, 'xdg/data'),
    XDG_CACHE_HOME: path.join(stateDir, 'xdg/cache'),
    TMPDIR: tmp || path.join(stateDir, 'tmp'), // vscode-ipc-*.sock etc. land here, not in /tmp
    EXTENSIONS_GALLERY: '{}', // no open-vsx gallery
    CS_DISABLE_GETTING_STARTED_OVERRIDE: '1',
    ...env,
  });
  fs.mkdirSync(childEnv.TMPDIR, { recursive: true });
  const args = [
    '--config',
    path.join(stateDir, 'config.yaml'),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    path.join(stateDir, 'ud'),
    '--extensions-dir',
    path.join(stateDir, 'ext'),
    ...extraArgs,
  ];
  const t0 = Date.now();
  // detached: its own process group, so stop() ends the server, the extension host and the file watcher
  const proc = spawn(CODE_SERVER_BIN, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const logFile = fs.createWriteStream(path.join(stateDir, 'code-server.log'));
  proc.stdout.pipe(logFile);
  proc.stderr.pipe(logFile);
  if (verbose) {
    proc.stdout.pipe(process.stdout);
    proc.stderr.pipe(process.stderr);
  }
  await new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      if (/HTTP server listening on/.test(buf)) {
        proc.stdout.off('data', onData);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`code-server exited early (${code}); see ${stateDir}/code-server.log`)));
    setTimeout(() => reject(new Error(`code-server did not start in 60 s; see ${stateDir}/code-server.log`)), 60000).unref();
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  return { proc, port, url: `http://127.0.0.1:${port}/`, listeningMs: Date.now() - t0, stop };
}

/** The workbench URL for a folder, optionally with the extension loaded as a development extension (and tests). */
export function workbenchUrl(server, { folder, devExt, testsPath }) {
  // The payload needs vscode-remote:// URIs: file:// ones load the workbench but never run the tests.
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const payload = [];
  if (devExt) payload.push(['extensionDevelopmentPath', remote(devExt)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  payload.push(['skipWelcome', 'true']);
  return `${server.url}?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Debian's Chromium through playwright-core, with everything that phones home turned off. */
export async function launchChromium(home) {
  const { chromium } = await import('playwright-core');
  fs.mkdirSync(home, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', // we run as root
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // resolve nothing but 127.0.0.1: Chromium cannot even send DNS queries for its Google services
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
    // keep Chromium's crashpad database and dconf out of the real $HOME
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
  });
}

/** Records every request that leaves the machine (there should be none). */
export function watchExternalRequests(page, sink) {
  page.on('request', (req) => {
    const u = req.url();
    if (!/^(https?|wss?):\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u) && !/^(data|blob|vscode-[a-z-]+):/.test(u)) sink.push(u);
  });
}

/**
 * Serialises a critical section across processes (concurrent runs of the harness build into the same dist/).
 * A lock directory is atomic to create; a lock older than 2 minutes belongs to a dead process (a build takes seconds).
 */
export async function withLock(name, fn) {
  const lock = path.join(ROOT, '.vscode-test', `${name}.lock`);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 2 * 60 * 1000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`could not take ${lock}`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs a command, inheriting stdio; resolves with its exit code. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
    p.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    p.on('error', (e) => {
      console.error(`${cmd}: ${e.message}`);
      resolve(1);
    });
  });
}
