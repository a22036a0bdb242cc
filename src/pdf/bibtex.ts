import { parseFileField, type BibEntry, type BibtexParser } from '../core/sources/bibliography';

/** BibTeX through @retorquere/bibtex-parser (maintained; Better BibTeX's own parser). */
export const bibtexParser: BibtexParser = {
  async parse(text: string): Promise<readonly BibEntry[]> {
    // A dynamic import: the package's CommonJS build requires an ESM-only dependency (tiny-merge-patch), so
    // only its ESM entry works when run unbundled (tests, bench); bundled, esbuild inlines it.
    const { parse } = await import('@retorquere/bibtex-parser');
    // Raw fields: keep `file` verbatim (no LaTeX decoding of its backslashes and colons).
    // Titles as written (no sentence-casing): they are shown to the user and matched against PDF titles.
    const { text: parseable, restore } = protectKeys(text);
    const library = parse(parseable, {
      raw: false,
      english: false,
      sentenceCase: false,
      verbatimFields: ['file', 'url', 'doi', /^local-zo-url-/],
    });
    return library.entries.map((entry) => {
      const fields = entry.fields;
      const authors = fields.author?.map((a) => a.name ?? [a.firstName, a.lastName].filter(Boolean).join(' ')).join(', ');
      return {
        key: restore(entry.key),
        files: typeof fields.file === 'string' ? parseFileField(fields.file) : [],
        ...(typeof fields.title === 'string' ? { title: fields.title } : {}),
        ...(authors ? { authors } : {}),
        ...(typeof fields.year === 'string'
          ? { year: fields.year }
          : typeof fields.date === 'string'
            ? { year: fields.date.slice(0, 4) }
            : {}),
        ...(typeof fields.doi === 'string' && fields.doi.trim() !== '' ? { doi: fields.doi.trim() } : {}),
        ...(typeof fields.abstract === 'string' ? { abstract: fields.abstract } : {}),
      };
    });
  },
};

/**
 * Better BibTeX writes `????` in the key of an item without a year (`smithUntitled????`), and the parser's key
 * grammar stops at the first `?`, losing the key and every field after it. Such keys are parsed with each `?`
 * replaced by a marker of key characters that the text does not contain, and given back as written.
 */
function protectKeys(text: string): { text: string; restore: (key: string) => string } {
  const ENTRY_KEY = /(@\s*\w+\s*[{(]\s*)([^\s,={}()]*\?[^\s,={}()]*)(?=\s*,)/g;
  if (!/@\s*\w+\s*[{(]\s*[^\s,={}()]*\?/.test(text)) return { text, restore: (key) => key };
  let marker = 'QMARK';
  while (text.includes(marker)) marker += 'X';
  const protectedText = text.replace(ENTRY_KEY, (_m, head: string, key: string) => head + key.replaceAll('?', marker));
  return { text: protectedText, restore: (key) => key.replaceAll(marker, '?') };
}
