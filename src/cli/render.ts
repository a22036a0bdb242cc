/** stdout (the result only: markdown, or one JSON document) and the shared pieces of both renderings. */
import type { BlockGrounding, Source, SourceStatus } from '../core';
import type { Terminal } from './terminal';

export class Output {
  constructor(
    readonly terminal: Terminal,
    private readonly stdout: NodeJS.WritableStream,
  ) {}

  markdown(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}

const STATUS_WORDS: Readonly<Record<SourceStatus, string>> = {
  ok: 'ok',
  missing: 'missing',
  tooLarge: 'too large',
  outsideWorkspace: 'outside the workspace',
  unsupported: 'unsupported type',
  unreadable: 'unreadable',
  cycle: 'link cycle',
  untrusted: 'not read (untrusted workspace)',
  noText: 'no text',
};

export function statusWords(status: SourceStatus): string {
  return STATUS_WORDS[status];
}

/** Sources that were named but not used, one sentence each (they do not change the exit code). */
export function sourceWarnings(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => s.status !== 'ok')
    .map((s) => `skipped ${s.link?.raw ?? s.title} (${statusWords(s.status)})${s.statusDetail ? `: ${s.statusDetail}` : ''}`);
}

export interface SourceEntry {
  readonly id: string;
  readonly title: string;
  readonly kind: Source['kind'];
  readonly status: SourceStatus;
  readonly detail?: string;
  readonly tokens: number;
  readonly link?: string;
}

export function sourceEntries(sources: readonly Source[]): SourceEntry[] {
  return sources.map((s) => ({
    id: s.id,
    title: s.title,
    kind: s.kind,
    status: s.status,
    ...(s.statusDetail ? { detail: s.statusDetail } : {}),
    tokens: s.status === 'ok' ? s.tokenEstimate : 0,
    ...(s.link ? { link: s.link.raw } : {}),
  }));
}

/** The figures and quotes of a block that the sources do not support, as written. */
export function unsupportedFigures(grounding: BlockGrounding): string[] {
  return grounding.items.filter((i) => i.status === 'unsupported').map((i) => i.text);
}

/** A markdown table; pipes inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
