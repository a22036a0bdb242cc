/**
 * The `research-assistant` executable (dist/cli.js, with a shebang): parses the command line, then loads the rest
 * (dist/cliRun.js: the core, the Node host, the model client) only when there is a command to run, so that
 * `--version`, `--help` and usage errors answer at once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheFolder } from './cacheFolder';
import { requireWithCodeCache, type CachedModule } from '../node/codeCache';
import type * as RunModule from './main';
import { parseCommandLine } from './program';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'development';

function loadRunner(): CachedModule<typeof RunModule> {
  const bundled = join(__dirname, 'cliRun.js');
  // Loaded at run time from a computed path, so the runner stays out of cli.js; from the sources (tsx) the module
  // itself is required.
  if (existsSync(bundled)) return requireWithCodeCache(bundled, join(cacheFolder(process.env), 'code-cache'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { exports: require(join(__dirname, 'main')) as typeof RunModule, cache: 'none', save: () => undefined };
}

// A reader that stops early (`research-assistant --help | head`) closes the pipe: that ends the output, it is not
// an error to report with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2), {
    cwd: process.cwd(),
    version: VERSION,
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
  });
  if (parsed.kind === 'exit') return parsed.code;
  const runner = loadRunner();
  if (parsed.request.verbose) process.stderr.write(`code cache: ${runner.cache}\n`);
  const code = await runner.exports.runRequest(parsed.request);
  // After the run, so that the cache also holds the code this command compiled on the way.
  runner.save();
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`research-assistant: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
