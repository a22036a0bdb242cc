// Installs what the VS Code host needs, only when it is missing (idempotent, quick when everything is there):
//  1. Debian packages: chromium (the browser that drives the workbench), ripgrep (stands in for the rg binary
//     code-server would fetch from GitHub), libkrb5-dev (the kerberos native module builds from source),
//     poppler-utils and fonts-noto-cjk (PDF tools and CJK glyphs for tests and screenshots), a compiler.
//     Installed with apt-get when running as root; otherwise a clear message says what to install.
//  2. code-server 4.100.3 from npm into .vscode-test/host/cs, offline-proofed as in VSCODE-HOST.md §2.
// usage: node scripts/host/install.mjs [--check]     (--check: report only, exit 1 when something is missing)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CODE_SERVER_BIN, CODE_SERVER_VERSION, HOST_ROOT, log } from './lib.mjs';

const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'poppler-utils', 'fonts-noto-cjk', 'build-essential', 'python3'];
// @vscode/ripgrep version in code-server 4.100.3's lib/vscode/npm-shrinkwrap.json, and the asset its
// postinstall downloads from GitHub; Debian's rg is the same 13.0.0 release
const RG_PKG_VERSION = '1.15.11';
const RG_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const CS_DIR = path.join(HOST_ROOT, 'cs');
const NODE_PREFIX = path.resolve(path.dirname(process.execPath), '..');
const CS_RG = path.join(CS_DIR, 'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg');

function aptInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function missingAptPackages() {
  if (!fs.existsSync('/usr/bin/dpkg-query')) return APT_PACKAGES.filter((p) => p === 'chromium' && !fs.existsSync(CHROMIUM));
  return APT_PACKAGES.filter((p) => !aptInstalled(p));
}

export function codeServerInstalled() {
  return (
    fs.existsSync(CODE_SERVER_BIN) &&
    fs.existsSync(CS_RG) &&
    fs.existsSync(path.join(CS_DIR, 'node_modules/code-server/package.json')) &&
    JSON.parse(fs.readFileSync(path.join(CS_DIR, 'node_modules/code-server/package.json'), 'utf8')).version === CODE_SERVER_VERSION
  );
}

function installApt(pkgs) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `missing Debian packages: ${pkgs.join(' ')}\n  Install them once with:\n    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}\n  (this script installs them itself only when it runs as root)`,
    );
  }
  log(`apt-get install ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
}

function installCodeServer() {
  const t0 = Date.now();
  const tmp = path.join(HOST_ROOT, 'tmp');
  // @vscode/ripgrep's postinstall looks in $TMPDIR/vscode-ripgrep-cache-<ver>/ before calling api.github.com
  const cache = path.join(tmp, `vscode-ripgrep-cache-${RG_PKG_VERSION}`);
  fs.mkdirSync(cache, { recursive: true });
  const rg = execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
  execFileSync('tar', ['czf', path.join(cache, RG_ASSET), '-C', path.dirname(rg), path.basename(rg)]);
  fs.mkdirSync(CS_DIR, { recursive: true });
  const pkg = path.join(CS_DIR, 'package.json');
  if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, '{"name":"code-server-host","private":true}\n');
  log(`npm install code-server@${CODE_SERVER_VERSION} into ${CS_DIR} (about 70-90 s; native modules build from source)`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: CS_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      TMPDIR: tmp,
      // code-server's postinstall refuses to run as root without it (npm 7+ dropped the flag, the env var still reaches the script)
      npm_config_unsafe_perm: 'true',
      // node-pty's postinstall runs `npx node-gyp`; a `yes=false` in ~/.npmrc would abort it
      npm_config_yes: 'true',
      // node-gyp would download Node's headers from nodejs.org; use the ones installed with this Node
      ...(!process.env.npm_config_nodedir && fs.existsSync(path.join(NODE_PREFIX, 'include/node/node.h'))
        ? { npm_config_nodedir: NODE_PREFIX }
        : {}),
    },
  });
  // smoke check that keeps ~/.config untouched (code-server writes a config.yaml on first start)
  const xdg = path.join(tmp, 'xdg');
  const version = execFileSync(CODE_SERVER_BIN, ['--version'], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg },
  });
  if (!fs.existsSync(CS_RG)) throw new Error(`code-server installed but its ripgrep binary is missing: ${CS_RG}`);
  log(
    `code-server ready in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${version.split('\n').find((l) => /^\d+\.\d+\.\d+/.test(l)) ?? version.trim()}`,
  );
}

/** Makes sure the host is installed; returns what it had to install. Throws with a clear message when it cannot. */
export function ensureHost() {
  const installed = [];
  const apt = missingAptPackages();
  if (apt.length) {
    installApt(apt);
    installed.push(...apt);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium binary not found at ${CHROMIUM} (set CHROMIUM_BIN)`);
  if (!codeServerInstalled()) {
    installCodeServer();
    installed.push(`code-server@${CODE_SERVER_VERSION}`);
  }
  return installed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const apt = missingAptPackages();
    const cs = codeServerInstalled();
    console.log(
      `apt packages missing: ${apt.length ? apt.join(' ') : 'none'}; code-server ${CODE_SERVER_VERSION}: ${cs ? 'installed' : 'missing'} (${HOST_ROOT})`,
    );
    process.exit(apt.length || !cs ? 1 : 0);
  }
  try {
    const installed = ensureHost();
    console.log(installed.length ? `host: installed ${installed.join(', ')}` : 'host: everything already installed');
  } catch (e) {
    console.error(`host install failed: ${e.message}`);
    process.exit(1);
  }
}
