/**
 * What an unsupported figure, quote or table cell is told to the user, the same in every host: the VS Code
 * Problems panel and `research-assistant check`. The sentences are English templates; a host that translates
 * passes its own `translate` (VS Code: `vscode.l10n.t`, whose bundles are keyed by these sentences).
 */
import type { GroundingItem, SourceMatch } from './check';

/** A host's translation of a template, `{0}`, `{1}`… filled with `args`. */
export type Translate = (template: string, ...args: Array<string | number>) => string;

/** No translation: the English template with its placeholders filled. */
export const english: Translate = (template, ...args) => template.replace(/\{(\d+)\}/gu, (_, i: string) => String(args[Number(i)] ?? ''));

/** Every template below (the l10n bundles must hold each; a unit test checks). */
export const GROUNDING_TEMPLATES = {
  place: '{0}, p. {1}',
  thisNote: 'this note',
  quoteLowSimilarity:
    'Quote not found in the cited sources (checked: {0}); the closest passage ({1}) is {2}% similar. Check the wording or remove the quote marks.',
  quoteNumber: 'Quote differs in a number from the passage in {0}. Correct the number.',
  quoteNegation: 'Quote differs in a negation from the passage in {0}. Correct the wording.',
  quoteNotFound: 'Quote not found in the cited sources (checked: {0}). Check the wording or remove the quote marks.',
  cellNotInQuote: "{0} does not appear in the quote given as this cell's evidence. Check the value against the paper or remove it.",
  cellNotInQuoteMany: "{0} do not appear in the quote given as this cell's evidence. Check the values against the paper or remove them.",
  cellOtherSource: "This cell's quote comes from {0}, not from this row's paper. Check which paper the value belongs to.",
  cellNotFound: "This cell's quote was not found in the cited sources (checked: {0}). Check the value or remove it.",
  figureNearest: '{0} not found in the cited sources (checked: {1}; nearest: {2} in {3}). Check the figure or remove it.',
  figureNotFound: '{0} not found in the cited sources (checked: {1}). Check the figure or remove it.',
} as const;

const T = GROUNDING_TEMPLATES;

/** "paper.pdf, p. 2" (the page when the match is in a PDF), else the source's title. */
export function matchPlace(match: SourceMatch, translate: Translate = english): string {
  return match.page !== undefined ? translate(T.place, match.sourceTitle, match.page) : match.sourceTitle;
}

/**
 * The message for an unsupported item of a block whose `sources` attribute lists `sourceIds`: what was searched
 * (so the user knows what "not found" covers), the nearest passage when there is one, and what to do.
 */
export function groundingMessage(item: GroundingItem, sourceIds: readonly string[], translate: Translate = english): string {
  const near = item.nearest;
  const nearName = near ? matchPlace(near, translate) : '';
  const names = sourceIds.map((id) => id.split('/').pop() ?? id);
  const searched = names.length > 0 ? names.join(', ') : translate(T.thisNote);
  if (item.kind === 'quote') {
    switch (item.reason) {
      case 'lowSimilarity':
        return translate(T.quoteLowSimilarity, searched, nearName, Math.round((near?.similarity ?? 0) * 100));
      case 'numberDiffers':
        return translate(T.quoteNumber, nearName);
      case 'negationDiffers':
        return translate(T.quoteNegation, nearName);
      default:
        return translate(T.quoteNotFound, searched);
    }
  }
  if (item.kind === 'cell') {
    const missing = item.missingInQuote ?? [];
    if (missing.length > 0) return translate(missing.length === 1 ? T.cellNotInQuote : T.cellNotInQuoteMany, missing.join(', '));
    if (item.reason === 'otherSource') return translate(T.cellOtherSource, nearName);
    return translate(T.cellNotFound, searched);
  }
  return near
    ? translate(T.figureNearest, item.text, searched, near.matched.trim(), nearName)
    : translate(T.figureNotFound, item.text, searched);
}
