/**
 * Runs the built dist/cli.js as a user's shell would: a child process with its own environment (a temp HOME, XDG
 * folders and cache, no RESEARCH_ASSISTANT_* variables from the caller), stdout and stderr kept apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (or node scripts/test-cli.mjs, which builds first)`);

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh user: home, XDG config and cache folders, and a workspace folder, all in one temp folder. */
export class Sandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'lra-cli-'));
  readonly home = join(this.root, 'home');
  readonly workspace = join(this.root, 'ws');
  readonly configHome = join(this.home, '.config');
  readonly cacheHome = join(this.home, '.cache');

  constructor(files: Readonly<Record<string, string | Uint8Array>> = {}) {
    mkdirSync(this.workspace, { recursive: true });
    mkdirSync(this.home, { recursive: true });
    for (const [path, content] of Object.entries(files)) this.write(path, content);
  }

  /** Writes a file under the workspace. */
  write(path: string, content: string | Uint8Array): string {
    const full = join(this.workspace, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  }

  /** The user settings file the CLI reads (`$XDG_CONFIG_HOME/local-research-assistant/settings.json`). */
  userSettings(settings: Readonly<Record<string, unknown>> | string): void {
    const file = join(this.configHome, 'local-research-assistant', 'settings.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof settings === 'string' ? settings : JSON.stringify(settings, null, 2));
  }

  env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('RESEARCH_ASSISTANT_')) env[k] = v;
    return { ...env, HOME: this.home, XDG_CONFIG_HOME: this.configHome, XDG_CACHE_HOME: this.cacheHome, FORCE_COLOR: '0', ...extra };
  }

  start(args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): ChildProcess {
    return spawn(process.execPath, [CLI, ...args], { cwd: this.workspace, env: this.env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  }

  run(args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): Promise<CliResult> {
    return finished(this.start(args, extraEnv));
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Collects a child's output until it exits (at most 60 s: a hung CLI fails the test rather than the run). */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not exit within 60 s; stderr so far:\n${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves once the child's stderr contains `pattern`. */
export function stderrShows(child: ChildProcess, pattern: RegExp): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stderr never showed ${pattern}; it had:\n${seen}`)), 30_000);
    child.stderr?.on('data', (d: Buffer | string) => {
      seen += String(d);
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** A note with linked papers, the shape the extension's own tests use. */
export const NOTE = `---
title: Gene expression review
---

# Gene expression review

My own words before the links stay exactly as they are.

- The sequencing study: [[papers/genes.pdf]]
- A follow-up: [Follow-up](papers/followup.pdf)
- A paper not downloaded yet: [[papers/missing.pdf]]

## Thoughts

Expression differences between tissues are large; the sample sizes are small.
`;
