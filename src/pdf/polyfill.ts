/**
 * Must be imported before pdf.js: pdf.js polyfills DOMMatrix from the native @napi-rs/canvas, which a
 * bundle does not carry; text extraction needs no canvas, so a pure-JS DOMMatrix is enough (PDF-FACTS.md).
 */
import DOMMatrixPolyfill from 'dommatrix';

const g = globalThis as { DOMMatrix?: unknown };
g.DOMMatrix ??= DOMMatrixPolyfill;
