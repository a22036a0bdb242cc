/**
 * Requires a large bundle with V8's code cache: the command line's runner (dist/cliRun.js, about 750 KiB minified;
 * every command is a new process, and compiling it each time cost about 45 ms of a cached `summarize`, target
 * ≤ 300 ms end to end) and the extension's feature bundle (dist/features.js, about 700 KiB, compiled in every new
 * window when the first note opens: about a third of its ~150 ms load, with the extension host blocked meanwhile).
 *
 * Node 22 has `module.enableCompileCache()` for this; Node 20, which we support, has not, and the
 * `v8-compile-cache` package keeps only what V8 compiles before the module runs (its top level). Here the cache is
 * taken after the command has run (`script.createCachedData()`), so it also holds the functions compiled lazily
 * while running — the ones the next command needs.
 *
 * The cache file is named by a hash of the bundle's text, so an upgraded or rebuilt bundle never meets the code of
 * another; V8 itself refuses data made by another V8 version or with other flags, and then a new file is written.
 */
import type * as Crypto from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface CachedModule<T> {
  readonly exports: T;
  /** Whether compiling used a cache file (`used`), found none (`none`), or V8 refused the one found (`rejected`). */
  readonly cache: 'used' | 'none' | 'rejected';
  /** Writes the code cache when there was none or V8 refused it; quietly does nothing when it cannot. */
  save(): void;
}

type ModuleFunction = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/** A CommonJS file required through a `vm.Script` that reads and writes its code cache in `cacheDir`. */
export function requireWithCodeCache<T>(file: string, cacheDir: string): CachedModule<T> {
  // A shebang is allowed only at the very start of a script; inside the module wrapper it would be a syntax error.
  const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
  // Required here, not at the top: dist/cli.js answers --version and --help without loading node:crypto.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof Crypto;
  const hash = createHash('sha256').update(source).update(process.version).update(process.versions.v8).digest('hex').slice(0, 20);
  const name = basename(file, '.js');
  const cacheFile = join(cacheDir, `${name}-${hash}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet (or unreadable): compile from the source and write one after the run.
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const run = script.runInThisContext() as ModuleFunction;
  const module = { exports: {} as unknown };
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const cache = !cachedData ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  return {
    exports: module.exports as T,
    cache,
    save: () => {
      if (cache === 'used') return;
      try {
        mkdirSync(cacheDir, { recursive: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
        // Caches of former builds of the same bundle are of no further use.
        for (const other of readdirSync(cacheDir))
          if (other.startsWith(`${name}-`) && join(cacheDir, other) !== cacheFile) rmSync(join(cacheDir, other), { force: true });
      } catch {
        // A cache folder we cannot write only costs the next run its compile time.
      }
    },
  };
}
