/**
 * Research: Compare Linked Papers: one JSON extraction per paper (the server's JSON-schema mode,
 * a supporting quote and locator per cell), a table rendered by code. Cells are cached one by one,
 * so re-running with an added column or paper asks only for what is new; a paper that fails gets
 * an error cell and the others still render.
 */
import { AssistantError, isAssistantError, isCancellationError } from '../errors';
import { languageInstruction, type ResolvedLanguage } from '../language';
import { renderPrompt } from '../prompts/promptTemplate';
import type { Source } from '../sources/types';
import type { TableCell, TableRow } from '../insertion/table';
import type { ActionContext } from './context';
import { concurrencyFor, mapConcurrent, maxOutputFor, newCounter, prepareSources } from './pipeline';

export interface CompareInput {
  readonly papers: readonly Source[];
  readonly columns: readonly string[];
  readonly language: ResolvedLanguage;
  /** How each paper is named in the first column (its link as written); defaults to the title. */
  readonly paperLabel?: (paper: Source) => string;
}

export interface CompareResult {
  readonly rows: readonly TableRow[];
  readonly model: string;
  readonly requests: number;
  /** Cells served from the cache. */
  readonly cachedCells: number;
  readonly warnings: readonly string[];
}

/** A JSON-safe property name for a column ("Sample size" → "sample_size"), unique within the set. */
export function columnKeys(columns: readonly string[]): string[] {
  const used = new Set<string>();
  return columns.map((c, i) => {
    let key =
      c
        .normalize('NFKC')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, '_')
        .replace(/^_|_$/g, '') || `column_${i + 1}`;
    while (used.has(key)) key += '_';
    used.add(key);
    return key;
  });
}

const CELL_SCHEMA = {
  type: 'object',
  properties: { value: { type: 'string' }, quote: { type: 'string' }, locator: { type: 'string' } },
  required: ['value', 'quote', 'locator'],
};

export function extractionSchema(keys: readonly string[]): Record<string, unknown> {
  return { type: 'object', properties: Object.fromEntries(keys.map((k) => [k, CELL_SCHEMA])), required: [...keys] };
}

/** Validates the model's JSON (throwing lets the server layer run its one repair retry). */
export function validateExtraction(keys: readonly string[]): (value: unknown) => Record<string, TableCell> {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    const obj = value as Record<string, unknown>;
    const out: Record<string, TableCell> = {};
    for (const k of keys) {
      const cell = obj[k];
      if (typeof cell === 'string') {
        out[k] = { value: cell };
        continue;
      }
      if (typeof cell !== 'object' || cell === null) throw new Error(`missing field "${k}"`);
      const c = cell as Record<string, unknown>;
      const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
      out[k] = { value: str(c.value), quote: str(c.quote), locator: str(c.locator) };
    }
    return out;
  };
}

export async function compare(ctx: ActionContext, input: CompareInput): Promise<CompareResult> {
  const template = ctx.prompts.get('compare');
  const language = languageInstruction(input.language);
  const counter = newCounter();
  let cachedCells = 0;
  let model = ctx.session.info.model;
  let done = 0;
  const label = input.paperLabel ?? ((p: Source) => p.title);

  const rows = await mapConcurrent(input.papers, concurrencyFor(ctx), async (paper): Promise<TableRow> => {
    const name = label(paper);
    try {
      if (paper.status !== 'ok') throw new AssistantError('SourceUnreadable', paper.statusDetail ?? paper.status);
      const paperHash = paper.contentHash ?? (await ctx.cache.hash(paper.text));
      // Cache per cell: (template version, model, paper content, column, language).
      const keyFor = (column: string): Promise<string> =>
        ctx.cache.key({
          templateId: template.id,
          templateVersion: template.version,
          model: ctx.session.info.model,
          params: { column, language },
          input: paperHash,
        });
      const cells: Record<string, TableCell> = {};
      const missing: string[] = [];
      for (const column of input.columns) {
        const hit = await ctx.cache.get(await keyFor(column));
        if (hit) {
          cells[column] = JSON.parse(hit.text) as TableCell;
          cachedCells += 1;
        } else {
          missing.push(column);
        }
      }
      if (missing.length > 0) {
        const keys = columnKeys(missing);
        const columnsText = missing.map((c, i) => `- "${keys[i] ?? ''}": ${c}`).join('\n');
        const values = { columns: columnsText, language };
        const prepared = await prepareSources(ctx, template, values, [paper], `facts for these columns: ${missing.join(', ')}`, counter);
        const messages = renderPrompt(template, { ...values, sources: prepared.sourcesText });
        counter.requests += 1;
        const { value, result } = await ctx.session.completeJson(
          {
            messages,
            maxTokens: maxOutputFor(ctx, template),
            temperature: template.temperature ?? 0,
            jsonSchema: { name: 'paper_extraction', schema: extractionSchema(keys) },
          },
          validateExtraction(keys),
          ctx.signal,
        );
        model = result.model;
        counter.warnings.push(...result.warnings);
        for (const [i, column] of missing.entries()) {
          const cell = value[keys[i] ?? ''] ?? { value: '' };
          cells[column] = cell;
          await ctx.cache.set(await keyFor(column), { text: JSON.stringify(cell), model: result.model, createdAt: Date.now() });
        }
      }
      return { paper: name, cells };
    } catch (error) {
      if (isCancellationError(error)) throw error;
      ctx.logger.warn(`Comparison: ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      const reason = isAssistantError(error) ? error.code : 'error';
      return { paper: name, error: reason };
    } finally {
      done += 1;
      ctx.progress.report(`paper ${done}/${input.papers.length}`, done / input.papers.length);
    }
  });
  return { rows, model, requests: counter.requests, cachedCells, warnings: counter.warnings };
}
