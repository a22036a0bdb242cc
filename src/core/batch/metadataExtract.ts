/**
 * A paper's title, authors, year, DOI and citekey for its note's front matter, from what the paper and the
 * user's bibliography state: the bibliography entry first, then the PDF's XMP and info dictionary when their
 * values are plausible, then page 1 (the title by its type size, the authors under it, the DOI and the year
 * as printed). Nothing is guessed: a field no source states stays undefined.
 */
import type { PdfDocumentMetadata, PdfExtraction, PdfFirstPageLine } from '../pdf/types';
import type { MetadataField, MetadataOrigin, PaperMetadata } from './metadata';
import {
  doiAcrossLines,
  findDois,
  labelsDoi,
  plausibleNameList,
  plausibleTitle,
  titleOnPage,
  trimDoi,
  yearOfDate,
  yearOnPage,
} from './metadataRules';

/** The facts of a bibliography entry (a parsed BibTeX entry fits). */
export interface BibliographyFacts {
  readonly key?: string;
  readonly title?: string;
  /** "A, B and C" or one name per element. */
  readonly authors?: string | readonly string[];
  readonly year?: string | number;
  readonly doi?: string;
}

export interface MetadataInputs {
  readonly bibliography?: BibliographyFacts;
  /** The extraction's `metadata` (info dictionary, XMP, page 1's lines). */
  readonly document?: PdfDocumentMetadata;
  /** Page 1's clean text (the extraction's `pages[0]`), when its lines are not at hand. */
  readonly firstPageText?: string;
  /** For the "not in the future" check of years (tests). */
  readonly now?: Date;
}

interface Found<T> {
  readonly value: T;
  readonly origin: MetadataOrigin;
  readonly evidence?: string;
}

/** The metadata of an extracted PDF, with its bibliography entry when the paper has one. */
export function paperMetadataOf(extraction: PdfExtraction, bibliography?: BibliographyFacts): PaperMetadata {
  return extractPaperMetadata({
    ...(bibliography ? { bibliography } : {}),
    ...(extraction.metadata ? { document: extraction.metadata } : {}),
    ...(extraction.pages[0] !== undefined && extraction.pagesRead > 0 ? { firstPageText: extraction.pages[0] } : {}),
  });
}

export function extractPaperMetadata(inputs: MetadataInputs): PaperMetadata {
  const bib = inputs.bibliography;
  const doc = inputs.document;
  const lines = doc?.firstPage?.lines ?? [];
  // Page 1 as printed: the lines (running header and sidebar included) or the clean text.
  const pageText = lines.length > 0 ? lines.map((l) => l.text).join('\n') : (inputs.firstPageText ?? '');
  const layoutTitle = doc?.firstPage ? titleFromLayout(doc.firstPage) : undefined;

  const found: Partial<Record<MetadataField, Found<unknown>>> = {};
  const citekey = bib?.key?.trim();
  if (citekey) found.citekey = { value: citekey, origin: 'bibliography' };
  found.title = first<string>(
    () => fromBib(plausibleTitleText(bib?.title)),
    () => statedTitle(xmpText(doc, 'dc:title'), 'xmp', 'XMP dc:title', pageText),
    () => statedTitle(doc?.info?.title, 'info', 'info Title', pageText),
    () => (layoutTitle ? { value: layoutTitle.title, origin: 'firstPage', evidence: 'largest type on page 1' } : undefined),
  );
  found.authors = first<string[]>(
    () => fromBib(plausibleNameList(bib?.authors)),
    () => stated(plausibleNameList(doc?.xmpFields?.['dc:creator']), 'xmp', 'XMP dc:creator'),
    () => stated(plausibleNameList(doc?.info?.author), 'info', 'info Author'),
    () =>
      stated(
        layoutTitle ? authorsUnder(doc?.firstPage?.lines ?? [], layoutTitle.last) : undefined,
        'firstPage',
        'the lines under the title',
      ),
  );
  found.doi = first<string>(
    () => fromBib(bib?.doi ? findDois(bib.doi)[0] : undefined),
    () => doiInMetadata(doc),
    () => doiOnPage(lines, pageText),
  );
  found.year = first<number>(
    () => fromBib(yearOfDate(bib?.year === undefined ? undefined : String(bib.year), inputs.now)),
    () => publicationDateInXmp(doc, inputs.now),
    () => {
      const stated = yearOnPage(pageText, inputs.now);
      return stated ? { value: stated.year, origin: 'text', evidence: `"${stated.statement}" on page 1` } : undefined;
    },
    () => creationYear(doc, inputs.now),
  );

  const origin: Partial<Record<MetadataField, MetadataOrigin>> = {};
  const evidence: Partial<Record<MetadataField, string>> = {};
  for (const [field, f] of Object.entries(found) as [MetadataField, Found<unknown> | undefined][]) {
    if (!f) continue;
    origin[field] = f.origin;
    if (f.evidence) evidence[field] = f.evidence;
  }
  return {
    ...(found.title ? { title: found.title.value as string } : {}),
    ...(found.authors ? { authors: found.authors.value as string[] } : {}),
    ...(found.year ? { year: found.year.value as number } : {}),
    ...(found.doi ? { doi: found.doi.value as string } : {}),
    ...(found.citekey ? { citekey: found.citekey.value as string } : {}),
    origin,
    ...(Object.keys(evidence).length > 0 ? { evidence } : {}),
  };
}

function first<T>(...sources: (() => Found<T> | undefined)[]): Found<T> | undefined {
  for (const source of sources) {
    const found = source();
    if (found) return found;
  }
  return undefined;
}

function fromBib<T>(value: T | undefined): Found<T> | undefined {
  return value === undefined ? undefined : { value, origin: 'bibliography' };
}

function stated<T>(value: T | undefined, origin: MetadataOrigin, evidence: string): Found<T> | undefined {
  return value === undefined ? undefined : { value, origin, evidence };
}

/** BibTeX titles keep their case-protecting braces: `{S2ORC}: The …`. */
function plausibleTitleText(title: string | undefined): string | undefined {
  const text = title?.replace(/[{}]/g, '').replace(/\s+/g, ' ').trim();
  return text ? text : undefined;
}

function xmpText(doc: PdfDocumentMetadata | undefined, name: string): string | undefined {
  const value = doc?.xmpFields?.[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** A title from the file's metadata, when plausible and (if page 1 was read) printed there. */
function statedTitle(raw: string | undefined, origin: MetadataOrigin, evidence: string, pageText: string): Found<string> | undefined {
  const title = plausibleTitle(raw);
  if (!title || (pageText.trim() !== '' && !titleOnPage(title, pageText))) return undefined;
  return { value: title, origin, evidence };
}

const XMP_DOI_FIELDS = ['prism:doi', 'pdfx:doi', 'crossmark:doi', 'dc:identifier', 'prism:url', 'pdfx:wps-articledoi'];

function doiInMetadata(doc: PdfDocumentMetadata | undefined): Found<string> | undefined {
  for (const field of XMP_DOI_FIELDS) {
    const doi = findDois(xmpText(doc, field) ?? '')[0];
    if (doi) return { value: doi, origin: 'xmp', evidence: `XMP ${field}` };
  }
  // Publishers also write it as an attribute of the XMP description, which pdf.js does not list.
  const inPacket = findDois(doc?.xmp ?? '')[0];
  if (inPacket) return { value: inPacket, origin: 'xmp', evidence: 'XMP packet' };
  for (const [field, name] of [
    ['subject', 'Subject'],
    ['keywords', 'Keywords'],
  ] as const) {
    const doi = findDois(doc?.info?.[field] ?? '')[0];
    if (doi) return { value: doi, origin: 'info', evidence: `info ${name}` };
  }
  return undefined;
}

/** The paper's DOI on page 1: the first one labelled as a DOI, else the first one printed there. */
function doiOnPage(lines: readonly PdfFirstPageLine[], pageText: string): Found<string> | undefined {
  const texts = lines.length > 0 ? lines.map((l) => l.text) : pageText.split('\n');
  const all: { doi: string; labelled: boolean }[] = [];
  texts.forEach((line, i) => {
    const broken = doiAcrossLines(line, texts[i + 1]);
    const dois = findDois(line);
    if (broken) dois.splice(dois.length - 1, 1, broken);
    for (const doi of dois) all.push({ doi, labelled: labelsDoi(line) });
  });
  const pick = all.find((d) => d.labelled) ?? all[0];
  return pick
    ? { value: trimDoi(pick.doi), origin: 'text', evidence: pick.labelled ? 'labelled DOI on page 1' : 'DOI on page 1' }
    : undefined;
}

const XMP_PUBLICATION_DATES = ['prism:publicationdate', 'prism:coverdate', 'prism:coverdisplaydate', 'dc:date'];
const XMP_CREATION_DATES = ['xmp:createdate', 'xap:createdate', 'pdf:creationdate'];

function publicationDateInXmp(doc: PdfDocumentMetadata | undefined, now?: Date): Found<number> | undefined {
  for (const field of XMP_PUBLICATION_DATES) {
    const year = yearOfDate(xmpText(doc, field), now);
    if (year !== undefined) return { value: year, origin: 'xmp', evidence: `XMP ${field}` };
  }
  return undefined;
}

/**
 * The year the file was made: the last resort, since a journal typesets a paper before the issue it appears
 * in (a paper of 2014 whose PDF was made in October 2013).
 */
function creationYear(doc: PdfDocumentMetadata | undefined, now?: Date): Found<number> | undefined {
  for (const field of XMP_CREATION_DATES) {
    const year = yearOfDate(xmpText(doc, field), now);
    if (year !== undefined) return { value: year, origin: 'xmp', evidence: `XMP ${field} (when the file was made)` };
  }
  const year = yearOfDate(doc?.info?.creationDate, now);
  return year === undefined ? undefined : { value: year, origin: 'info', evidence: 'info CreationDate (when the file was made)' };
}

// ---- page 1 by its type ------------------------------------------------------------------------------------

/** Banners and labels set large above a title, never the title itself. */
const BANNER = new RegExp(
  `^(${[
    'research( article| paper)?',
    'original (article|research|paper)',
    'article',
    'review( article)?',
    'open access',
    'abstract',
    'letter',
    'brief (report|communication)',
    'short communication',
    'editorial',
    'perspective',
    'commentary',
    'case report',
    'technical note',
    'preprint',
    'full paper',
    'methods?',
    'articles?',
    'reports?',
  ].join('|')})$`,
  'i',
);
/** Running headers and citation lines: a journal's volume, pages, ISSN or homepage. */
const JOURNAL_LINE =
  /\b(vol\.|volume|issue|pp\.|issn|e-?issn|journal homepage|proceedings of|contents lists available)\b|\b(19|20)\d{2}\b.*\b\d+\s*[–-]\s*\d+\b/i;

function letterSpaced(text: string): boolean {
  const words = text.split(/\s+/);
  return words.length >= 4 && words.filter((w) => w.length === 1).length >= words.length * 0.6;
}

function titleCandidate(line: PdfFirstPageLine): boolean {
  const text = line.text.trim();
  if (!/\p{L}{3}|\p{Script=Han}{2}/u.test(text) || letterSpaced(text) || BANNER.test(text.replace(/[.:]$/, ''))) return false;
  return !JOURNAL_LINE.test(text) && !/https?:|www\.|@|\bdoi\b|10\.\d{4,9}\//i.test(text);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * The title of page 1: the run of lines in the largest type of its upper half, clearly larger than the body
 * text, joined across lines. Undefined when nothing stands out (a manuscript in body-size type).
 */
export function titleFromLayout(
  page: NonNullable<PdfDocumentMetadata['firstPage']>,
): { title: string; last: PdfFirstPageLine } | undefined {
  const lines = page.lines.filter((l) => l.text.trim() !== '');
  const body = median(lines.filter((l) => l.text.length > 20).map((l) => l.size)) || median(lines.map((l) => l.size));
  const upper = lines.filter((l) => l.y >= page.height * 0.45 && titleCandidate(l));
  const largest = Math.max(0, ...upper.map((l) => l.size));
  if (largest < body * 1.2) return undefined;
  const same = (l: PdfFirstPageLine): boolean => Math.abs(l.size - largest) <= Math.max(0.5, largest * 0.04);
  // Top to bottom; the title is the first run of largest-type lines, each within two line heights of the last.
  const ordered = [...upper].sort((a, b) => b.y - a.y);
  const start = ordered.findIndex(same);
  const run: PdfFirstPageLine[] = [];
  for (const line of ordered.slice(start)) {
    const prev = run.at(-1);
    if (prev && prev.y - line.y > largest * 2.2) break;
    if (same(line)) run.push(line);
    else if (line.size > largest * 0.7) break;
  }
  const title = joinTitleLines(run.map((l) => l.text.trim()));
  const last = run.at(-1);
  if (!last || title.length < 8 || title.length > 400) return undefined;
  return { title, last };
}

function joinTitleLines(parts: readonly string[]): string {
  let text = '';
  for (const part of parts) {
    if (text === '') text = part;
    else if (/\p{Script=Han}$/u.test(text) && /^\p{Script=Han}/u.test(part)) text += part;
    else if (/\p{L}-$/u.test(text)) text += part;
    else text += ` ${part}`;
  }
  // Footnote marks after the title, and an editor's note in brackets ("[update in progress]").
  return text
    .replace(/[\s*∗†‡§¶]+$/u, '')
    .replace(/\s*\[[^\]]*\]$/, '')
    .trim();
}

/** The authors on the lines right under the title, when they read as a list of names; else undefined. */
function authorsUnder(all: readonly PdfFirstPageLine[], titleLast: PdfFirstPageLine): string[] | undefined {
  const below = all.filter((l) => l.y < titleLast.y && l.text.trim() !== '').sort((a, b) => b.y - a.y);
  // Rows of affiliation marks alone (set on their own baseline above the names) say nothing.
  const names = below.filter((l) => !/^[\s\d,*∗†‡§¶⚄#a-f]+$/u.test(l.text) || /\p{L}{2}/u.test(l.text));
  const result: string[] = [];
  let prev: PdfFirstPageLine | undefined;
  for (const line of names.slice(0, 4)) {
    if (prev && prev.y - line.y > Math.max(prev.size, line.size) * 2.2) break;
    // Symbols of icon fonts (private use) mark banners ("Updated Content"), never names.
    const list = /[\uE000-\uF8FF]/u.test(line.text) ? undefined : plausibleNameList(line.text);
    if (!list) break;
    result.push(...list);
    prev = line;
  }
  // One capitalised pair of words under a title is as often a banner or a subtitle as a sole author.
  return result.length >= 2 ? result : undefined;
}
