// Three bundles for the extension (CommonJS, `vscode` external): dist/extension.js, the small entry that activation
// evaluates (command registration, settings, log, status bar item, CodeLens registration; activation ≤ 50 ms),
// dist/features.js, everything else, required on first use (src/vscode/lazy.ts), and dist/preview.js, the markdown
// preview's plugins, required when VS Code builds its markdown renderer (extendMarkdownIt in extension.ts).
// --production minifies and drops source maps; --watch rebuilds on change.
import * as esbuild from 'esbuild';
import { cpSync, readFileSync } from 'node:fs';
import { pdfjsTextOnly } from './build/pdfjsTextOnly.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** Prints errors in the shape VS Code's esbuild problem matcher reads. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/** Fails the build when a library reaches the entry bundle: libraries belong in dist/features.js. */
const smallEntry = {
  name: 'small-entry',
  setup(build) {
    build.onEnd((result) => {
      const inputs = Object.keys(result.metafile?.outputs['dist/extension.js']?.inputs ?? {});
      const libraries = [
        ...new Set(
          inputs.filter((f) => f.includes('node_modules/')).map((f) => f.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, '$1')),
        ),
      ];
      if (libraries.length) {
        result.errors.push({
          text: `dist/extension.js must not bundle libraries (activation evaluates it); import them from feature code only: ${libraries.join(', ')}`,
        });
      }
    });
  },
};

const ctx = await esbuild.context({
  entryPoints: { extension: 'src/vscode/extension.ts', features: 'src/vscode/features.ts', preview: 'src/vscode/preview/index.ts' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  metafile: true,
  define: { __VERSION__: JSON.stringify(version) },
  plugins: [smallEntry, problemMatcher],
});

// The PDF engine (pdf.js with its worker code, and the BibTeX parser): a second bundle that the extension
// requires only when a note links a PDF or a bibliography, so it is not part of activation (which has a 50 ms budget, and
// the bundle without the PDF engine a 1.5 MB one).
const engineCtx = await esbuild.context({
  // dist/bibtexWorker.js: the BibTeX parser alone, for the worker thread a bibliography is parsed on.
  entryPoints: { pdfEngine: 'src/pdf/index.ts', bibtexWorker: 'src/pdf/bibtexThread.ts' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  // pdf.js reads import.meta.url only to find its worker file and @napi-rs/canvas; the engine supplies both
  // (pdfjsWorker global, DOMMatrix polyfill), so an empty import.meta in CommonJS is fine.
  define: { 'import.meta.url': 'undefined' },
  plugins: [pdfjsTextOnly, problemMatcher],
});

// The command-line tool (`research-assistant`, the package's bin): dist/cli.js parses the command line and requires
// dist/cliRun.js (the core on the Node host) only to run a command, so --version and --help stay fast; the PDF
// engine is loaded from dist/pdfEngine.js beside them on the first PDF, like the extension.
const cliCtx = await esbuild.context({
  entryPoints: { cli: 'src/cli/index.ts', cliRun: 'src/cli/main.ts' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  banner: { js: '#!/usr/bin/env node' },
  // jsonc-parser's UMD entry requires its parts dynamically, which a bundle cannot follow; its ES module build is static.
  mainFields: ['module', 'main'],
  define: { __VERSION__: JSON.stringify(version) },
  plugins: [problemMatcher],
});

// Adobe CMaps (and their licence) for non-embedded CJK fonts, read by pdf.js from dist/cmaps (src/pdf/engine.ts).
cpSync('node_modules/pdfjs-dist/cmaps', 'dist/cmaps', { recursive: true, filter: (src) => !src.includes('.') || src.endsWith('.bcmap') });

if (watch) {
  await Promise.all([ctx.watch(), engineCtx.watch(), cliCtx.watch()]);
} else {
  const results = await Promise.all([ctx.rebuild(), engineCtx.rebuild(), cliCtx.rebuild()]);
  await Promise.all([ctx.dispose(), engineCtx.dispose(), cliCtx.dispose()]);
  // An error added by a plugin's onEnd (small-entry) does not reject rebuild(): fail the build here.
  if (results.some((r) => r.errors.length)) process.exitCode = 1;
}
