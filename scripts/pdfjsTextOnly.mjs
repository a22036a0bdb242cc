// The text-only patches of pdf.js's worker code for the PDF engine bundle (see PDFJS_TEXT_ONLY_PATCHES).
import { readFileSync } from 'node:fs';

/**
 * pdf.js builds a complete OpenType font from every embedded font so that a canvas can draw it: it compiles
 * Type1 and CFF programs byte by byte, 10–15% of the CPU time of extracting a LaTeX paper (profiled on the
 * corpus). TrueType's outline repair stays: the glyphs it finds missing keep the font's character map small
 * (skipping it made subset CID fonts slower). The engine only reads text: glyph → Unicode comes from the parsed font
 * and the PDF's encodings, never from the rebuilt font, which feeds only a font face the engine never
 * creates (disableFontFace). So these steps are cut out of the bundle. Each replacement must match exactly
 * once: a pdf.js update that moves the code fails the build instead of silently losing the speed-up. Text
 * is compared with the unpatched library in test/unit/pdf/textOnlyPatch.test.ts.
 */
export const PDFJS_TEXT_ONLY_PATCHES = [
  // CFFFont (Type1C / CIDFontType0C): keep the file's own CFF bytes instead of recompiling them.
  ['      this.data = compiler.compile();', '      this.data = file;'],
  // Type1Font: skip wrapping the converted charstrings into a compiled CFF font.
  ['    this.data = this.wrap(name, type2Charstrings, this.charstrings, subrs, properties);', '    this.data = new Uint8Array(0);'],
];

/**
 * Speed-ups of pdf.js's text loop that change no result (profiled on the corpus; the same comparison test).
 * Keyed by the file they apply to: pdf.worker.mjs (the evaluator) or pdf.mjs (the API side).
 */
export const PDFJS_TEXT_LOOP_PATCHES = [
  // TextState.clone made each clone's prototype its parent state, so every clone had its own hidden class
  // and each textState.x read in the per-glyph loop went megamorphic. Every TextState field is declared
  // (an own property), so a flat copy with the class's prototype reads the same values.
  ['pdf.worker.mjs', '    const clone = Object.assign(Object.create(this), this);', '    const clone = Object.assign(Object.create(Object.getPrototypeOf(this)), this);'],
  // getCurrentTextTransform runs for every glyph: ctm × (textMatrix × tsm), through Util.transform, whose
  // element reads went polymorphic (ctm is a Float32Array or an Array, the others Arrays) and cost more than
  // the rest of the glyph loop. Written out here: the same operations in the same order, one array.
  [
    'pdf.worker.mjs',
    '      return Util.transform(textState.ctm, Util.transform(textState.textMatrix, tsm));',
    `      const tm = textState.textMatrix;
      const i0 = tm[0] * tsm[0] + tm[2] * tsm[1], i1 = tm[1] * tsm[0] + tm[3] * tsm[1];
      const i2 = tm[0] * tsm[2] + tm[2] * tsm[3], i3 = tm[1] * tsm[2] + tm[3] * tsm[3];
      const i4 = tm[0] * tsm[4] + tm[2] * tsm[5] + tm[4], i5 = tm[1] * tsm[4] + tm[3] * tsm[5] + tm[5];
      const c = textState.ctm;
      return [c[0] * i0 + c[2] * i1, c[1] * i0 + c[3] * i1, c[0] * i2 + c[2] * i3, c[1] * i2 + c[3] * i3, c[0] * i4 + c[2] * i5 + c[4], c[1] * i4 + c[3] * i5 + c[5]];`,
  ],
  // The engine runs pdf.js's "worker" on the same thread (LoopbackPort), which structured-clones every
  // message: each text chunk was deep-copied once more on its way to getTextContent (~6% of the time).
  // Stream messages are handed over as they are instead. They are fresh object literals, except a text
  // chunk, which the evaluator now also sends as a fresh object (it used to send one object and then
  // replace its arrays, which a shared chunk would see) and never touches again; the receiver only copies
  // the items out. Every other message (document, pages, errors, binary data) is still cloned.
  ['pdf.worker.mjs', '      sink?.enqueue(textContent, length);', '      sink?.enqueue({ items: textContent.items, styles: textContent.styles, lang: textContent.lang }, length);'],
  [
    'pdf.mjs',
    '      data: structuredClone(obj, transfer ? {',
    '      data: !transfer && typeof obj?.stream === "number" && (obj.stream !== StreamKind.ENQUEUE || Array.isArray(obj.chunk?.items)) ? obj : structuredClone(obj, transfer ? {',
  ],
  // FlateDecode went through a web DecompressionStream per stream: a readable/writable pair, promises per
  // chunk, and zlib run on the thread pool while this thread waited (together ~10% of extracting a paper).
  // The engine runs in Node only, so the same zlib inflates synchronously. A stream zlib rejects (truncated,
  // corrupt) still takes pdf.js's own tolerant decoder, as a rejected DecompressionStream did.
  ['pdf.worker.mjs', 'export { WorkerMessageHandler };', 'import { inflateSync as textOnlyInflateSync } from "node:zlib";\nexport { WorkerMessageHandler };'],
  [
    'pdf.worker.mjs',
    '    const bytes = this.stream.isAsync ? await this.stream.asyncGetBytes() : this.stream.getBytes();\n    try {\n',
    `    const bytes = this.stream.isAsync ? await this.stream.asyncGetBytes() : this.stream.getBytes();
    try {
      if (name === "deflate") {
        const out = textOnlyInflateSync(bytes);
        return {
          decompressed: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
          compressed: bytes
        };
      }
`,
  ],
  // A page's text arrived in chunks of 100 items, each chunk with a pull request and its reply: ~4 messages
  // per 100 glyph runs. Chunks of up to 4096 items (the receiver spreads a chunk into push(), so not unbounded).
  ['pdf.mjs', '    const TEXT_CONTENT_CHUNK_SIZE = 100;', '    const TEXT_CONTENT_CHUNK_SIZE = 4096;'],
];

const FILE_PATCHES = [
  ...PDFJS_TEXT_ONLY_PATCHES.map(([from, to]) => ['pdf.worker.mjs', from, to]),
  ...PDFJS_TEXT_LOOP_PATCHES,
];

/** The patches that apply to a pdf.js build file ('pdf.worker.mjs' or 'pdf.mjs'), as [from, to] pairs. */
export function patchesFor(file) {
  return FILE_PATCHES.filter(([f]) => f === file).map(([, from, to]) => [from, to]);
}

/** The source with every patch for `file` applied; throws when a patch does not match exactly once. */
export function applyTextOnlyPatches(source, file = 'pdf.worker.mjs', where = file) {
  let contents = source;
  for (const [from, to] of patchesFor(file)) {
    const count = contents.split(from).length - 1;
    if (count !== 1) throw new Error(`pdfjs-text-only: expected one match of ${JSON.stringify(from.trim())} in ${where}, found ${count}`);
    contents = contents.replace(from, to);
  }
  return contents;
}

/** esbuild plugin applying the patches to pdf.js's code as it is bundled (esbuild.mjs, the engine bundle). */
export const pdfjsTextOnly = {
  name: 'pdfjs-text-only',
  setup(build) {
    build.onLoad({ filter: /pdfjs-dist[\\/]legacy[\\/]build[\\/]pdf(\.worker)?\.mjs$/ }, ({ path }) => {
      try {
        const file = /pdf\.worker\.mjs$/.test(path) ? 'pdf.worker.mjs' : 'pdf.mjs';
        return { contents: applyTextOnlyPatches(readFileSync(path, 'utf8'), file, path), loader: 'js' };
      } catch (error) {
        return { errors: [{ text: error.message }] };
      }
    });
  },
};
