// pdfjs-dist ships no types for its worker module; the engine only hands it to pdf.js as `pdfjsWorker`.
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}

// @citation-js/plugin-bibtex ships no types. The file parser gives entries with raw field values; the value
// parser decodes one field's LaTeX (a string, or a list of names for name fields).
declare module '@citation-js/plugin-bibtex/lib/input/file.js' {
  export function parse(text: string): unknown[];
}
declare module '@citation-js/plugin-bibtex/lib/input/value.js' {
  export function parse(value: string, field: string, languages?: string[]): unknown;
}
