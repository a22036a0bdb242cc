/**
 * The engine bundle cuts pdf.js's font compilation out and speeds up its text loop (build/pdfjsTextOnly.mjs).
 * These tests check that every patch still matches the installed pdf.js exactly once, and that the patched bundle extracts exactly
 * the text the unpatched library does, on corpus PDFs whose fonts take the patched paths (embedded Type 1,
 * Type 1C / CFF fonts, and TrueType as a control; skipped with a reason when ../shared/corpus is absent).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import * as esbuild from 'esbuild';
import type { EngineModule } from '../../../src/pdf';
import { deflateSync } from 'node:zlib';
import { extractPdfText, readPdfItems } from '../../../src/pdf/engine';
import { cjkPdf, hyphenationPdf, ligaturePdf, predefinedCmapPdf, sectionsPdf, twoColumnPdf } from '../../fixtures/pdf-gen/generate';

const ROOT = join(__dirname, '../../..');
const CORPUS = join(ROOT, '../shared/corpus/pdf');
const BUILD_DIR = join(ROOT, 'node_modules/pdfjs-dist/legacy/build');

interface PatchModule {
  readonly PDFJS_TEXT_ONLY_PATCHES: ReadonlyArray<readonly [string, string]>;
  readonly PDFJS_TEXT_LOOP_PATCHES: ReadonlyArray<readonly [string, string, string]>;
  readonly patchesFor: (file: string) => Array<[string, string]>;
  readonly applyTextOnlyPatches: (source: string, file?: string, where?: string) => string;
  readonly pdfjsTextOnly: esbuild.Plugin;
}
const patches = (): Promise<PatchModule> => import(join(ROOT, 'build/pdfjsTextOnly.mjs')) as Promise<PatchModule>;

/** The engine bundle built the way esbuild.mjs builds it (patched), into out/ so pdfjs-dist resolves. */
type PatchedEngine = EngineModule & { extractPdfText: typeof extractPdfText; readPdfItems: typeof readPdfItems };
let built: Promise<PatchedEngine> | undefined;
const patchedEngine = (): Promise<PatchedEngine> => (built ??= buildPatchedEngine());

async function buildPatchedEngine(): Promise<PatchedEngine> {
  const outDir = join(ROOT, 'out/test-pdfjs-text-only');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'pdfEngine.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'src/pdf/index.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    define: { 'import.meta.url': 'undefined' },
    plugins: [(await patches()).pdfjsTextOnly],
  });
  return createRequire(__filename)(outfile) as PatchedEngine;
}

suite('pdf.js text-only patches (build/pdfjsTextOnly.mjs)', () => {
  test('each patch matches the installed pdf.js code (worker and API side) exactly once', async () => {
    const { PDFJS_TEXT_ONLY_PATCHES, PDFJS_TEXT_LOOP_PATCHES, patchesFor, applyTextOnlyPatches } = await patches();
    assert.ok(PDFJS_TEXT_ONLY_PATCHES.length >= 2 && PDFJS_TEXT_LOOP_PATCHES.length >= 4);
    for (const file of ['pdf.worker.mjs', 'pdf.mjs']) {
      const source = readFileSync(join(BUILD_DIR, file), 'utf8');
      const list = patchesFor(file);
      assert.ok(list.length >= 1, `patches for ${file}`);
      const patched = applyTextOnlyPatches(source, file);
      for (const [from, to] of list) {
        // (a patch that adds to a line keeps it: the import beside pdf.worker.mjs's export)
        if (!to.includes(from)) assert.equal(patched.split(from).length - 1, 0, `${file}: still present: ${from.trim()}`);
        assert.ok(patched.includes(to), `${file}: ${to.trim().slice(0, 60)}`);
      }
      // A pdf.js that moved the code fails loudly (the build reports it) instead of silently losing the patch.
      assert.throws(() => applyTextOnlyPatches(source.replace(list[0]![0], ''), file), /expected one match/);
    }
  });

  // Type 1 fonts (LaTeX: S2ORC, PeerJ), Type 1C fonts (BMC, Clinical Science), CID TrueType (PLOS ONE, the review).
  const files = [
    'cs_s2orc_acl2020.pdf',
    'clin_bmc-hsr_2014_quality-improvement-malawi.pdf',
    'genomics_vespa_peerjcs_2017.pdf',
    'biomed_clinsci_2014_ace-inhibitor-fragment-design.pdf',
    'omics_plosone_2018_wheat-heat-stress-metabolomics.pdf',
    'review_deep-review_dl-biology-medicine_v2-2021.pdf',
  ];
  test('the patched bundle extracts the same text as unpatched pdf.js (corpus PDFs with Type 1, CFF and TrueType fonts)', async (t) => {
    const present = files.filter((f) => existsSync(join(CORPUS, f)));
    if (present.length === 0) {
      const reason = `corpus PDFs not found in ${CORPUS}`;
      console.log(`skipped: ${reason}`);
      t.skip(reason);
      return;
    }
    const engine = await patchedEngine();
    for (const file of present) {
      const bytes = readFileSync(join(CORPUS, file));
      const patched = await engine.extractPdfText(new Uint8Array(bytes), { name: file, workers: 1 });
      const original = await extractPdfText(new Uint8Array(bytes), { name: file, workers: 1 });
      assert.ok(patched.characters > 10_000, `${file}: text extracted`);
      assert.deepEqual(patched, original, `${file}: same extraction`);
      // and the same positioned items, to the last digit (the text loop patches must not move a glyph)
      assert.deepEqual(await engine.readPdfItems(new Uint8Array(bytes)), await readPdfItems(new Uint8Array(bytes)), `${file}: same items`);
    }
  });

  test('generated PDFs (two columns, hyphenation, sections, a predefined CJK CMap, embedded TrueType and CFF fonts) give the same items patched and unpatched', async () => {
    const engine = await patchedEngine();
    const makers = [
      ['two.pdf', twoColumnPdf],
      ['hyph.pdf', hyphenationPdf],
      ['sections.pdf', sectionsPdf],
      ['gb.pdf', predefinedCmapPdf],
      ['lig.pdf (DejaVu Sans, TrueType)', ligaturePdf],
      ['cjk.pdf (Noto Sans CJK, CFF)', cjkPdf],
    ] as const;
    for (const [name, make] of makers) {
      const bytes = await make();
      // the embedded-font fixtures need system fonts (apt fonts-dejavu-core, fonts-noto-cjk); the corpus test covers these font kinds too
      if (!bytes) {
        console.log(`${name}: font not installed, not compared`);
        continue;
      }
      const patched = await engine.readPdfItems(new Uint8Array(bytes));
      assert.ok(
        patched.pages.some((p) => p.items.length > 0),
        `${name}: items`,
      );
      assert.deepEqual(patched, await readPdfItems(new Uint8Array(bytes)), `${name}: same items`);
    }
  });

  // FlateDecode goes through zlib's inflateSync in the bundle; a stream zlib rejects must still reach
  // pdf.js's own tolerant decoder, as it did when a DecompressionStream rejected it.
  test('content streams zlib accepts, or rejects (no checksum, cut short, junk after the end), read the same patched and unpatched', async () => {
    const engine = await patchedEngine();
    const sentence = 'Flate streams decoded by zlib or by pdf.js read the same';
    const content = Buffer.from(
      `BT /F1 14 Tf 72 700 Td (${sentence}) Tj ET\nBT /F1 14 Tf 72 680 Td (second line of the page) Tj ET\n`,
      'latin1',
    );
    const packed = deflateSync(content);
    const variants: Array<[string, Buffer, boolean]> = [
      ['intact', packed, true],
      ['without its checksum', packed.subarray(0, packed.length - 4), true],
      ['junk after the end', Buffer.concat([packed, Buffer.from('junk bytes')]), true],
      ['cut in the middle', packed.subarray(0, Math.floor(packed.length / 2)), false],
    ];
    for (const [label, stream, whole] of variants) {
      const bytes = pdfWithContent(stream);
      const settle = <T>(p: Promise<T>): Promise<T | string> =>
        p.catch((e: unknown) => `error: ${e instanceof Error ? e.message : String(e)}`);
      const patched = await settle(engine.readPdfItems(new Uint8Array(bytes)));
      const original = await settle(readPdfItems(new Uint8Array(bytes)));
      // the same items, or the same error (pdf.js's own decoder gives up on a stream cut in the middle)
      assert.deepEqual(patched, original, `${label}: same outcome`);
      if (typeof patched === 'string') {
        assert.ok(!whole, `${label}: ${patched}`);
        continue;
      }
      const text = patched.pages[0]!.items.map((i) => i.str).join('');
      if (whole) assert.ok(text.includes(sentence) && text.includes('second line'), `${label}: ${text}`);
    }
  });
});

/** A one-page PDF (Helvetica) whose content stream is `stream`, declared FlateDecode; xref offsets exact. */
function pdfWithContent(stream: Buffer): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    length += buf.length;
  };
  const obj = (n: number, body: Buffer | string, streamData?: Buffer): void => {
    offsets[n] = length;
    push(`${n} 0 obj\n`);
    push(body);
    if (streamData) {
      push('\nstream\n');
      push(streamData);
      push('\nendstream');
    }
    push('\nendobj\n');
  };
  push('%PDF-1.4\n');
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  obj(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>');
  obj(4, `<< /Length ${stream.length} /Filter /FlateDecode >>`, stream);
  obj(5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const xref = length;
  push(
    `xref\n0 6\n0000000000 65535 f \n${offsets
      .slice(1)
      .map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)
      .join('')}`,
  );
  push(`trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}
