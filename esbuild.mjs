// One bundle for the extension (dist/extension.js, CommonJS, `vscode` external).
// --production minifies and drops source maps; --watch rebuilds on change.
import * as esbuild from 'esbuild';
import { cpSync, readFileSync } from 'node:fs';

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

const ctx = await esbuild.context({
  entryPoints: ['src/vscode/extension.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: 'dist/extension.js',
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  define: { __VERSION__: JSON.stringify(version) },
  plugins: [problemMatcher],
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
  plugins: [problemMatcher],
});

// Adobe CMaps (and their licence) for non-embedded CJK fonts, read by pdf.js from dist/cmaps (src/pdf/engine.ts).
cpSync('node_modules/pdfjs-dist/cmaps', 'dist/cmaps', { recursive: true, filter: (src) => !src.includes('.') || src.endsWith('.bcmap') });

if (watch) {
  await Promise.all([ctx.watch(), engineCtx.watch()]);
} else {
  await Promise.all([ctx.rebuild(), engineCtx.rebuild()]);
  await Promise.all([ctx.dispose(), engineCtx.dispose()]);
}
