// The core boundary, checked by bundling: src/core/index.ts (and everything it pulls in, dependencies
// included) must bundle for the browser platform. A Node built-in or a runtime `import 'vscode'`
// anywhere in that graph fails here, which ESLint alone cannot see inside node_modules.
import * as esbuild from 'esbuild';

try {
  const result = await esbuild.build({
    entryPoints: ['src/core/index.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
  console.log(
    `check:core ok: src/core bundles for the browser (${(bytes / 1024).toFixed(1)} KiB, ${Object.keys(result.metafile.inputs).length} inputs)`,
  );
} catch (error) {
  console.error('check:core failed: src/core (or a dependency it imports) needs Node built-ins or vscode:');
  for (const e of error.errors ?? [error])
    console.error(`  ${e.text ?? e.message}${e.location ? ` (${e.location.file}:${e.location.line})` : ''}`);
  process.exit(1);
}
