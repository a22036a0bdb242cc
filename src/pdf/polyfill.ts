/**
 * Must be imported before pdf.js: pdf.js polyfills DOMMatrix from the native @napi-rs/canvas, which a
 * bundle does not carry; text extraction needs no canvas, so a pure-JS DOMMatrix is enough (PDF-FACTS.md).
 *
 * pdf.js's legacy build also carries core-js, which on evaluation REPLACES some working built-ins of
 * Node 20 with JavaScript versions: Array.prototype.push (a fifth of pdf.js's own text-extraction time
 * went into it) and JSON.parse/JSON.stringify (which the whole extension host would then use for every
 * request body and cache read). The natives are saved here and put back by restoreBuiltins() once pdf.js
 * has been evaluated; the additions core-js makes (Promise.withResolvers, Uint8Array.prototype.toHex, ...)
 * stay, pdf.js needs them.
 */
import DOMMatrixPolyfill from 'dommatrix';

const g = globalThis as { DOMMatrix?: unknown };
g.DOMMatrix ??= DOMMatrixPolyfill;

const nativePush = Array.prototype.push;
const nativeParse = JSON.parse;
const nativeStringify = JSON.stringify;

// While pdf.js evaluates, it looks for the native @napi-rs/canvas (through `createRequire(import.meta.url)`,
// which a bundle does not have) to polyfill ImageData/Path2D, and warns on stderr when it cannot: canvas
// features text extraction never uses. Filtering console.warn does not work in the extension host (VS Code
// pins the console methods), so the lookup is answered instead: for that one package an empty module, and
// ImageData/Path2D exist as inert stand-ins until restoreBuiltins() removes them again.
type GetBuiltin = (id: string) => unknown;
const proc = process as unknown as { getBuiltinModule?: GetBuiltin };
const nativeGetBuiltin = proc.getBuiltinModule;
const standIns = { ImageData: class ImageDataStandIn {}, Path2D: class Path2DStandIn {} };
const gg = globalThis as Record<string, unknown>;
const addedStandIns: string[] = [];
for (const [key, value] of Object.entries(standIns)) {
  if (gg[key] === undefined) {
    gg[key] = value;
    addedStandIns.push(key);
  }
}
if (nativeGetBuiltin) {
  proc.getBuiltinModule = (id: string): unknown => {
    const real = nativeGetBuiltin.call(process, id);
    if (id !== 'module' && id !== 'node:module') return real;
    const mod = real as { createRequire: (from: string) => (id: string) => unknown };
    return {
      ...mod,
      createRequire: (from: string | undefined) => {
        const req = from === undefined ? undefined : mod.createRequire(from);
        return (name: string): unknown => {
          if (name === '@napi-rs/canvas') return {};
          if (!req) throw new Error(`cannot load ${name} from the PDF engine bundle`);
          return req(name);
        };
      },
    };
  };
}

/** Puts back the built-ins pdf.js's core-js replaced and removes the canvas stand-ins; called right after pdf.js is imported. */
export function restoreBuiltins(): void {
  const put = (target: object, key: string, value: unknown): void => {
    const current = Object.getOwnPropertyDescriptor(target, key);
    if (current?.value !== value) Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
  };
  put(Array.prototype, 'push', nativePush);
  put(JSON, 'parse', nativeParse);
  put(JSON, 'stringify', nativeStringify);
  if (nativeGetBuiltin) proc.getBuiltinModule = nativeGetBuiltin;
  for (const key of addedStandIns.splice(0)) {
    if (gg[key] === standIns[key as keyof typeof standIns]) delete gg[key];
  }
}
