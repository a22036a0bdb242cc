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
// requires only when a note links a PDF or a bibliography, so it is not part of activation (PRODUCT.md §12).
const engineCtx = await esbuild.context({
  entryPoints: ['src/pdf/index.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: 'dist/pdfEngine.js',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  // pdf.js reads import.meta.url only to find its worker file and @napi-rs/canvas; the engine supplies both
  // (pdfjsWorker global, DOMMatrix polyfill), so an empty import.meta in CommonJS is fine.
  define: { 'import.meta.url': 'undefined' },
  plugins: [pdfjsTextOnly, problemMatcher],
});

// Adobe CMaps (and their licence) for non-embedded CJK fonts, read by pdf.js from dist/cmaps (src/pdf/engine.ts).
cpSync('node_modules/pdfjs-dist/cmaps', 'dist/cmaps', { recursive: true, filter: (src) => !src.includes('.') || src.endsWith('.bcmap') });

if (watch) {
  await Promise.all([ctx.watch(), engineCtx.watch()]);
} else {
  const results = await Promise.all([ctx.rebuild(), engineCtx.rebuild()]);
  await Promise.all([ctx.dispose(), engineCtx.dispose()]);
  // An error added by a plugin's onEnd (small-entry) does not reject rebuild(): fail the build here.
  if (results.some((r) => r.errors.length)) process.exitCode = 1;
}
