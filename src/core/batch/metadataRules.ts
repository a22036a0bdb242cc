/**
 * The judgements behind a paper's metadata: whether a title or a name list stated by the file is plausible,
 * where a DOI is in a piece of text, and which year a date string names. A wrong value in a note's front
 * matter is worse than a missing one, so each test errs on the side of "unknown".
 */

/** The Crossref pattern for modern DOIs (prefix 10.NNNN, then the suffix characters Crossref allows). */
const DOI_PATTERN = /10\.\d{4,9}\/[-._;()/:A-Za-z0-9]+/g;

/** A DOI with the sentence punctuation after it removed, and a closing parenthesis only when it has an opening one. */
export function trimDoi(raw: string): string {
  let doi = raw;
  for (;;) {
    const before = doi;
    doi = doi.replace(/[.,;:]+$/, '');
    if (doi.endsWith(')') && (doi.match(/\(/g)?.length ?? 0) < (doi.match(/\)/g)?.length ?? 0)) doi = doi.slice(0, -1);
    if (doi === before) return doi;
  }
}

/** Every DOI in a text, in order, trimmed. */
export function findDois(text: string): string[] {
  return [...text.matchAll(DOI_PATTERN)].map((m) => trimDoi(m[0])).filter((d) => /\/./.test(d));
}

/** A DOI written over a line break ("…/journal." then "pone.0197919"): the pieces joined, else undefined. */
export function doiAcrossLines(line: string, next: string | undefined): string | undefined {
  const matches = findDois(line);
  const last = [...line.matchAll(DOI_PATTERN)].at(-1);
  if (!last || next === undefined || matches.length === 0) return undefined;
  // Only a DOI that ends the line, broken after a separator, continues; the continuation is one token with a digit.
  if (last.index + last[0].length !== line.trimEnd().length || !/[./_-]$/.test(last[0])) return undefined;
  const continuation = /^([-._;()/:A-Za-z0-9]+)(?=\s|$)/.exec(next.trim())?.[1];
  if (!continuation || !/\d/.test(continuation)) return undefined;
  return trimDoi(last[0] + continuation);
}

/** Whether a line names the DOI it holds as the paper's own ("doi:", "DOI", "doi.org/"). */
export function labelsDoi(line: string): boolean {
  return /\bdoi\b|doi\.org\//i.test(line);
}

const FILE_NAME = /\.(docx?|pdf|tex|dvi|rtf|odt|indd|qxd|qxp|ps|eps|pages|wpd|txt|html?|xml)\b/i;
const JUNK_TITLE = new RegExp(
  '^(' +
    String.raw`microsoft (word|powerpoint|excel)\b|untitled\b|no title\b|title\b|document\d*\b|new document\b|layout \d|` +
    String.raw`paper title\b|manuscript\b|article\b|slide \d|untitled-\d|pii:|doi:|jpg|adobe|acrobat)`,
  'i',
);

/** Number of words with three letters or more, or of Han characters (CJK titles have no spaces). */
function titleWords(text: string): number {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  return Math.max(text.match(/\p{L}{3,}/gu)?.length ?? 0, Math.floor(han / 2));
}

/**
 * A title stated by the file that a reader would accept: not a word processor's default, a file name, a job
 * number ("6489122611071476 1..10"), a DOI or a template's placeholder.
 */
export function plausibleTitle(raw: string | undefined): string | undefined {
  const title = raw?.replace(/\s+/g, ' ').trim();
  if (!title || title.length < 8 || title.length > 400) return undefined;
  if (JUNK_TITLE.test(title) || FILE_NAME.test(title) || /use style/i.test(title)) return undefined;
  if (/^(https?:|www\.|10\.\d{4,9}\/)/i.test(title) || /[\\/]\S+[\\/]/.test(title)) return undefined;
  const letters = title.match(/\p{L}/gu)?.length ?? 0;
  if (letters < title.length * 0.5) return undefined;
  if (titleWords(title) < 2) return undefined;
  return title;
}

/** Whether most words of a stated title appear on page 1 (a template's or an earlier paper's title does not). */
export function titleOnPage(title: string, pageText: string): boolean {
  const page = pageText.toLowerCase().replace(/\s+/g, ' ');
  const han = title.match(/\p{Script=Han}+/gu);
  if (han && han.join('').length >= title.replace(/\s/g, '').length * 0.5) return page.replace(/ /g, '').includes(han[0] ?? '');
  const words = title.toLowerCase().match(/\p{L}{3,}/gu) ?? [];
  if (words.length === 0) return false;
  return words.filter((w) => page.includes(w)).length >= words.length * 0.6;
}

/** Name particles written in lower case ("Ludwig van Beethoven", "Maria da Silva"). */
const PARTICLES = new Set([
  'van',
  'von',
  'de',
  'der',
  'den',
  'da',
  'di',
  'du',
  'del',
  'della',
  'le',
  'la',
  'dos',
  'das',
  'ten',
  'ter',
  'bin',
  'al',
  'el',
  'y',
]);
/** Words of affiliations and headings, never of a person's name. */
const NOT_NAME = new RegExp(
  String.raw`\b(university|universit[àä]t|department|institute|school|college|faculty|hospital|laborator(y|ies)|centre|center|` +
    String.raw`group|abstract|introduction|background|email|e-mail|correspondence|received|accepted|published|article|research|` +
    String.raw`journal|review|open access|et al)\b`,
  'i',
);

/** Upper-case surnames ("Ross G. DOUGLAS") in the case a reference list uses ("Ross G. Douglas"). */
function recase(name: string): string {
  const tokens = name.split(' ');
  if (!tokens.some((t) => /\p{Ll}/u.test(t))) return name;
  return tokens
    .map((t) => (/^\p{Lu}{2,}(-\p{Lu}{2,})*$/u.test(t) ? t.toLowerCase().replace(/(^|-)\p{Ll}/gu, (c) => c.toUpperCase()) : t))
    .join(' ');
}

/** One person's name, cleaned of footnote marks, or undefined when it does not look like one. */
export function plausibleName(raw: string): string | undefined {
  let name = raw
    .replace(/[*∗†‡§¶#⚄✉\d\u00B9\u00B2\u00B3\u2070-\u209F]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,]+|[\s,]+$/g, '');
  // "Lo, Kyle" (the bibliographic order) becomes "Kyle Lo".
  const inverted = /^([^,]+),\s*([^,]+)$/.exec(name);
  if (inverted?.[1] && inverted[2]) name = `${inverted[2]} ${inverted[1]}`;
  if (/^\p{Script=Han}{2,4}$/u.test(name)) return name;
  if (name.length < 4 || name.length > 60 || NOT_NAME.test(name) || /[@:/()[\]{}]/.test(name)) return undefined;
  const tokens = name.split(' ');
  if (tokens.length < 2 || tokens.length > 5) return undefined;
  const ok = tokens.every((t) => PARTICLES.has(t) || /^\p{Lu}[\p{L}'’.-]*$/u.test(t));
  if (!ok || !tokens.some((t) => /\p{L}{2,}/u.test(t.replace(/\./g, '')))) return undefined;
  return recase(name);
}

/**
 * A list of names ("A, B and C", "A; B; C", "张三，李四"), or undefined unless every part is a plausible name:
 * half a list would put wrong authors in a note.
 */
export function plausibleNameList(raw: string | readonly string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = typeof raw === 'string' ? splitNames(raw) : raw.flatMap((r) => splitNames(r));
  if (parts.length === 0) return undefined;
  const names = parts.map((p) => plausibleName(p));
  return names.every((n): n is string => n !== undefined) ? names : undefined;
}

function splitNames(text: string): string[] {
  const cleaned = text.replace(/[*∗†‡§¶#⚄✉\d]+(?=\s*(,|;|$|\s))/gu, '').trim();
  // "Lo, Kyle; Wang, Lucy": semicolons separate names whose commas invert them.
  const separator = /;|；/.test(cleaned) ? /\s*[;；]\s*/ : /\s*(?:,|，|、|\band\b|&)\s*/;
  let parts = cleaned
    .split(separator)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  // A comma after the second-to-last name before "and" ("A, B, and C") leaves the last name with "and".
  parts = parts.flatMap((p) => p.split(/\s+and\s+/)).map((p) => p.trim());
  if (parts.length === 1 && /^(\p{Script=Han}{2,4}\s+)+\p{Script=Han}{2,4}$/u.test(parts[0] ?? '')) return (parts[0] ?? '').split(/\s+/);
  return parts;
}

/** The year a date names: ISO (`2018-06-07T…`), PDF (`D:20180607…`), or a 4-digit year alone or in text. */
export function yearOfDate(raw: string | undefined, now = new Date()): number | undefined {
  const text = raw?.trim() ?? '';
  // Dates start with the year (ISO, PDF); free text has it as a separate number.
  const match = /^(?:D:)?((?:1[6-9]|20)\d{2})/.exec(text) ?? /(?<!\d)((?:1[6-9]|20)\d{2})(?!\d)/.exec(text);
  const year = match?.[1] ? Number(match[1]) : undefined;
  return year !== undefined && year <= now.getUTCFullYear() + 1 ? year : undefined;
}

/** Page 1 statements of the publication year, strongest first, with a name for each. */
const YEAR_STATEMENTS: readonly { readonly label: string; readonly pattern: RegExp }[] = [
  { label: 'Published', pattern: /\bPublished(?: online)?\b[^\n\d]{0,20}(?:\d{1,2}(?:st|nd|rd|th)?[^\n\d]{1,14})?((?:1[6-9]|20)\d{2})\b/i },
  { label: '©', pattern: /(?:©\s*c?|\(c\)|Copyright\s*(?:©\s*)?)\s*:?\s*((?:1[6-9]|20)\d{2})\b/i },
  { label: '出版日期', pattern: /(?:出版日期|发表日期|网络出版时间|出版时间)\s*[：:]?\s*((?:1[6-9]|20)\d{2})/ },
];

/** The publication year stated on page 1 ("Published: June 13, 2018", "© 2014"), with the words that state it. */
export function yearOnPage(text: string, now = new Date()): { year: number; statement: string } | undefined {
  for (const { pattern } of YEAR_STATEMENTS) {
    const match = pattern.exec(text);
    const year = match?.[1] ? Number(match[1]) : undefined;
    if (match && year !== undefined && year <= now.getUTCFullYear() + 1) return { year, statement: match[0].replace(/\s+/g, ' ').trim() };
  }
  return undefined;
}
