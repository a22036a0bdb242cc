import { dirname, fileUri, isWindowsPath, resolveRelative } from './uri';

/** One bibliography entry, as much as linking needs. */
export interface BibEntry {
  readonly key: string;
  readonly title?: string;
  readonly authors?: string;
  readonly year?: string;
  readonly doi?: string;
  readonly abstract?: string;
  /** Attachment paths as written in the `file` field (Zotero / Better BibTeX / JabRef formats). */
  readonly files: readonly BibAttachment[];
}

export interface BibAttachment {
  readonly path: string;
  readonly mime?: string;
  readonly description?: string;
}

/**
 * Parses BibTeX text. Implemented with @retorquere/bibtex-parser in the lazily loaded engine bundle
 * (src/pdf/bibtex.ts): the parser is ~570 KB minified, too much for the activation bundle.
 */
export interface BibtexParser {
  parse(text: string): Promise<readonly BibEntry[]>;
}

/**
 * Splits on a separator not escaped with a backslash. Unescapes `\:` `\;` `\\` unless `keepEscapes` (then the
 * escapes stay in place for the next level of splitting).
 */
function splitUnescaped(text: string, sep: string, keepEscapes = false): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += (keepEscapes ? ch : '') + text[i + 1];
      i++;
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * The `file` field: Zotero `Description:path:mime;…`, JabRef `:path:PDF`, Better BibTeX plain paths
 * (`/abs/x.pdf;/abs/y.pdf`), Windows drive colons escaped (`C\:\\Users\\…`) or not (`C:\Users\…`).
 */
export function parseFileField(field: string): BibAttachment[] {
  const out: BibAttachment[] = [];
  for (const entry of splitUnescaped(field, ';', true)) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    // A Windows drive (C:\… as written, or C\:\\… escaped) would look like a Zotero triple: take it whole.
    if (isWindowsPath(trimmed)) {
      out.push({ path: trimmed });
      continue;
    }
    if (isWindowsPath(unescape(trimmed))) {
      out.push({ path: unescape(trimmed) });
      continue;
    }
    const parts = splitUnescaped(trimmed, ':');
    if (parts.length >= 3) {
      const mime = parts[parts.length - 1]?.trim();
      const description = parts[0]?.trim();
      // Re-join the middle: a path may itself hold an escaped (already unescaped here) colon.
      const path = parts.slice(1, -1).join(':').trim();
      out.push({ path, ...(mime ? { mime } : {}), ...(description ? { description } : {}) });
    } else {
      out.push({ path: parts.join(':').trim() });
    }
  }
  return out.filter((a) => a.path !== '');
}

function unescape(text: string): string {
  return splitUnescaped(text, '\u0000').join('');
}

/** The attachment to read: the first PDF (by MIME type or extension), else undefined. */
export function pickPdf(entry: BibEntry): BibAttachment | undefined {
  return entry.files.find((f) => /pdf/i.test(f.mime ?? '') || /\.pdf$/i.test(f.path));
}

/** Where an attachment path points: relative paths are relative to the bibliography file. */
export function attachmentUri(path: string, bibUri: string): { uri?: string; windows?: true } {
  if (isWindowsPath(path)) return { windows: true };
  if (path.startsWith('file:')) return { uri: path };
  if (path.startsWith('/')) return { uri: fileUri(path) };
  return { uri: resolveRelative(path, dirname(bibUri)) };
}

interface CslName {
  family?: string;
  given?: string;
  literal?: string;
}

/** CSL-JSON (array of items, as exported by Zotero / Better BibTeX); `file` may be a string or a list. */
export function parseCslJson(text: string): BibEntry[] {
  const data: unknown = JSON.parse(text);
  const items = Array.isArray(data) ? data : (data as { items?: unknown }).items;
  if (!Array.isArray(items)) throw new Error('CSL-JSON must be an array of items');
  const out: BibEntry[] = [];
  for (const raw of items as Record<string, unknown>[]) {
    const key =
      typeof raw['citation-key'] === 'string'
        ? raw['citation-key']
        : typeof raw['id'] === 'string' || typeof raw['id'] === 'number'
          ? String(raw['id'])
          : undefined;
    if (!key) continue;
    const fileField = raw['file'];
    const files =
      typeof fileField === 'string'
        ? parseFileField(fileField)
        : Array.isArray(fileField)
          ? fileField.filter((f): f is string => typeof f === 'string').flatMap(parseFileField)
          : [];
    const authors = Array.isArray(raw['author'])
      ? (raw['author'] as CslName[]).map((a) => a.literal ?? [a.given, a.family].filter(Boolean).join(' ')).join(', ')
      : undefined;
    const issued = (raw['issued'] as { 'date-parts'?: unknown[][] } | undefined)?.['date-parts']?.[0]?.[0];
    out.push({
      key,
      files,
      ...(typeof raw['title'] === 'string' ? { title: raw['title'] } : {}),
      ...(authors ? { authors } : {}),
      ...(issued === undefined ? {} : { year: String(issued) }),
      ...(typeof raw['abstract'] === 'string' ? { abstract: raw['abstract'] } : {}),
    });
  }
  return out;
}
