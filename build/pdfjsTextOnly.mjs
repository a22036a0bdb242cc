// The text-only patches of pdf.js's worker code for the PDF engine bundle (see PDFJS_TEXT_ONLY_PATCHES).
import { readFileSync } from 'node:fs';

/**
 * pdf.js builds a complete OpenType font from every embedded font so that a canvas can draw it: it compiles
 * Type1 and CFF programs, interprets every glyph program, repairs TrueType outlines, rebuilds character maps
 * and assembles font files, together 20–30% of the CPU time of extracting a paper (profiled on the corpus).
 * The engine only reads text: a glyph's Unicode and advance width come from the PDF's encodings and width
 * arrays and from the parsed font (its encoding, glyph names, post and name tables), never from the rebuilt
 * font, which feeds only a font face the engine never creates (disableFontFace). So these steps are cut out
 * of the bundle. One consequence: a font whose rebuilding would have thrown no longer falls back to a
 * system font's encoding (rare, broken fonts). Each replacement must match exactly once: a pdf.js update
 * that moves the code fails the build instead of silently losing the speed-up. Text and positions are
 * compared with the unpatched library in test/unit/pdf/textOnlyPatch.test.ts.
 */
export const PDFJS_TEXT_ONLY_PATCHES = [
  // CFFFont (Type1C / CIDFontType0C): keep the file's own CFF bytes instead of recompiling them.
  ['      this.data = compiler.compile();', '      this.data = file;'],
  // Type1Font: skip wrapping the converted charstrings into a compiled CFF font.
  ['    this.data = this.wrap(name, type2Charstrings, this.charstrings, subrs, properties);', '    this.data = new Uint8Array(0);'],
  // Type1Font: a glyph program is decrypted and interpreted (Type1CharString.convert) only for the glyphs
  // whose advance width the PDF leaves out (/Widths missing for a built-in-encoding code), the one result of
  // the conversion that text uses. The others get a placeholder program; their outlines, hinting and accent
  // composition (seac) only ever served the rebuilt font, which the engine never draws.
  [
    `            const encoded = this.readCharStrings(data, lenIV);
            this.nextChar();
            token = this.getToken();
            if (token === "noaccess") {
              this.getToken();
            } else if (token === "/") {
              this.prevChar();
            }
            charstrings.push({
              glyph,
              encoded
            });`,
    `            this.nextChar();
            token = this.getToken();
            if (token === "noaccess") {
              this.getToken();
            } else if (token === "/") {
              this.prevChar();
            }
            charstrings.push({
              glyph,
              data,
              lenIV
            });`,
  ],
  [
    `    for (const {
      encoded,
      glyph
    } of charstrings) {
      const charString = new Type1CharString();`,
    `    for (const {
      data,
      lenIV,
      glyph
    } of charstrings) {
      const widthIndex = properties.builtInEncoding ? properties.builtInEncoding.indexOf(glyph) : -1;
      if (!(widthIndex > -1 && properties.widths[widthIndex] === undefined && widthIndex >= properties.firstChar && widthIndex <= properties.lastChar)) {
        const placeholder = {
          glyphName: glyph,
          charstring: data.length > 0 ? [14] : [],
          width: 0,
          lsb: 0,
          seac: null
        };
        if (glyph === ".notdef") {
          program.charstrings.unshift(placeholder);
        } else {
          program.charstrings.push(placeholder);
        }
        continue;
      }
      const encoded = this.readCharStrings(data, lenIV);
      const charString = new Type1CharString();`,
  ],
  // Font.convert (Type 1 and CFF fonts): after the Unicode adjustments that text uses, it maps character
  // codes to the rebuilt font's glyphs (toFontChar, accents) and assembles an OpenType file (OS/2, cmap,
  // hmtx, name, post tables): only a font face would load either.
  [
    '    if (!properties.cssFontInfo) {\n      newMapping = adjustMapping(mapping, font.hasGlyphId.bind(font), glyphZeroId, this.toUnicode);',
    '    if (false) {\n      newMapping = adjustMapping(mapping, font.hasGlyphId.bind(font), glyphZeroId, this.toUnicode);',
  ],
  [
    '    const unitsPerEm = properties.fontMatrix ? 1 / Math.max(...properties.fontMatrix.slice(0, 4).map(Math.abs)) : 1000;',
    '    return new Uint8Array(0);',
  ],
  // Font.checkAndRepair (TrueType): the same for the rebuilt TrueType font. Its glyph outlines are not
  // copied and checked one by one, nor its character map rebuilt, nor the file assembled; what text uses
  // stays: the tables read, the metrics, the post table's glyph names and the name table's Unicode fixes.
  [
    '    if (isTrueType) {\n      const glyphsInfo = sanitizeGlyphLocations(',
    '    if (false) {\n      const glyphsInfo = sanitizeGlyphLocations(',
  ],
  [
    '    if (!properties.cssFontInfo) {\n      const newMapping = adjustMapping(charCodeToGlyphId, hasGlyph, glyphZeroId, this.toUnicode);',
    '    if (false) {\n      const newMapping = adjustMapping(charCodeToGlyphId, hasGlyph, glyphZeroId, this.toUnicode);',
  ],
  // (a CID font's whole CMap, up to 65,536 codes, was walked only to build that character map)
  ['      properties.cMap.forEach(function (charCode, cid) {', '      false && properties.cMap.forEach(function (charCode, cid) {'],
  [
    `    const builder = new OpenTypeFileBuilder(header.version);
    for (const tableTag in tables) {
      builder.addTable(tableTag, tables[tableTag].data);
    }
    return builder.toArray();`,
    '    return new Uint8Array(0);',
  ],
  // CFFParser.parseCharStrings interprets every glyph program of a CFF font for its advance width and
  // accent composition, which only the rebuilt font's hmtx table and accent drawing use; text takes widths
  // from the PDF (/Widths, /W) or their defaults.
  [
    `  parseCharStrings({
    charStrings,
    localSubrIndex,
    globalSubrIndex,
    fdSelect,
    fdArray,
    privateDict
  }) {
`,
    `  parseCharStrings({
    charStrings,
    localSubrIndex,
    globalSubrIndex,
    fdSelect,
    fdArray,
    privateDict
  }) {
    return {
      charStrings,
      seacs: [],
      widths: []
    };
`,
  ],
];

/**
 * Speed-ups of pdf.js's text loop that change no result (profiled on the corpus; the same comparison test).
 * Keyed by the file they apply to: pdf.worker.mjs (the evaluator) or pdf.mjs (the API side).
 */
export const PDFJS_TEXT_LOOP_PATCHES = [
  // TextState.clone made each clone's prototype its parent state, so every clone had its own hidden class
  // and each textState.x read in the per-glyph loop went megamorphic. Every TextState field is declared
  // (an own property), so a flat copy with the class's prototype reads the same values.
  [
    'pdf.worker.mjs',
    '    const clone = Object.assign(Object.create(this), this);',
    '    const clone = Object.assign(Object.create(Object.getPrototypeOf(this)), this);',
  ],
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
  [
    'pdf.worker.mjs',
    '      sink?.enqueue(textContent, length);',
    '      sink?.enqueue({ items: textContent.items, styles: textContent.styles, lang: textContent.lang }, length);',
  ],
  [
    'pdf.mjs',
    '      data: structuredClone(obj, transfer ? {',
    '      data: !transfer && typeof obj?.stream === "number" && (obj.stream !== StreamKind.ENQUEUE || Array.isArray(obj.chunk?.items)) ? obj : structuredClone(obj, transfer ? {',
  ],
  // FlateDecode went through a web DecompressionStream per stream: a readable/writable pair, promises per
  // chunk, and zlib run on the thread pool while this thread waited (together ~10% of extracting a paper).
  // The engine runs in Node only, so the same zlib inflates synchronously. A stream zlib rejects (truncated,
  // corrupt) still takes pdf.js's own tolerant decoder, as a rejected DecompressionStream did.
  [
    'pdf.worker.mjs',
    'export { WorkerMessageHandler };',
    'import { inflateSync as textOnlyInflateSync } from "node:zlib";\nexport { WorkerMessageHandler };',
  ],
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

const FILE_PATCHES = [...PDFJS_TEXT_ONLY_PATCHES.map(([from, to]) => ['pdf.worker.mjs', from, to]), ...PDFJS_TEXT_LOOP_PATCHES];

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
