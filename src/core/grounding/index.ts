/** Grounding checks: figures and quotes of generated text against the sources. */
export {
  buildGroundingIndex,
  GroundingIndexCache,
  pageAt,
  type GroundingIndex,
  type NumberPosting,
  type PrepareOptions,
} from './sourceIndex';
export {
  checkText,
  checkQuotePassage,
  formatHeader,
  QUOTE_SIMILARITY_THRESHOLD,
  type GroundingItem,
  type GroundingResult,
  type MatchKind,
  type SourceMatch,
} from './check';
export { extractClaims, maskNonClaims, type Claim, type ClaimKind } from './claims';
export { checkTableCell, checkTables, CELL_WARNING, type CellCheck, type TableCheck, type TableCellItem } from './table';
export {
  blockAt,
  checkBlock,
  checkNoteBlock,
  findResearchBlocks,
  type BlockCheckResult,
  type NoteBlockCheck,
  type ResearchBlock,
  type TextEdit,
} from './blocks';
export { english, GROUNDING_TEMPLATES, groundingMessage, matchPlace, type Translate } from './messages';
export { normalizeForNumbers, normalizeForQuotes } from './normalize';
export { benchGrounding, type GroundingBenchResult } from './bench';
