import { parseFileField, type BibEntry, type BibtexParser } from '../core/sources/bibliography';

/** BibTeX through @retorquere/bibtex-parser (maintained; Better BibTeX's own parser). */
export const bibtexParser: BibtexParser = {
  async parse(text: string): Promise<readonly BibEntry[]> {
    // A dynamic import: the package's CommonJS build requires an ESM-only dependency (tiny-merge-patch), so
    // only its ESM entry works when run unbundled (tests, bench); bundled, esbuild inlines it.
    const { parse } = await import('@retorquere/bibtex-parser');
    // Raw fields: keep `file` verbatim (no LaTeX decoding of its backslashes and colons).
    // Titles as written (no sentence-casing): they are shown to the user and matched against PDF titles.
    const library = parse(text, {
      raw: false,
      english: false,
      sentenceCase: false,
      verbatimFields: ['file', 'url', 'doi', /^local-zo-url-/],
    });
    return library.entries.map((entry) => {
      const fields = entry.fields;
      const authors = fields.author?.map((a) => a.name ?? [a.firstName, a.lastName].filter(Boolean).join(' ')).join(', ');
      return {
        key: entry.key,
        files: typeof fields.file === 'string' ? parseFileField(fields.file) : [],
        ...(typeof fields.title === 'string' ? { title: fields.title } : {}),
        ...(authors ? { authors } : {}),
        ...(typeof fields.year === 'string'
          ? { year: fields.year }
          : typeof fields.date === 'string'
            ? { year: fields.date.slice(0, 4) }
            : {}),
        ...(typeof fields.abstract === 'string' ? { abstract: fields.abstract } : {}),
      };
    });
  },
};
