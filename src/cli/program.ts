/**
 * The command line: commands, arguments and options, parsed with commander into one `CliRequest`. Parsing does
 * nothing else, so tests can check every form without a server, a file or a process.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AssistantConfig } from '../core';
import { UsageError } from './exitCodes';

export const BIN = 'research-assistant';

/** Commands that run today. */
export type CliCommand =
  'summarize' | 'compare' | 'ask' | 'explain' | 'draft' | 'check' | 'context' | 'status' | 'batch' | 'index' | 'search';

/** Settings a flag may set; the rest come from settings files and the environment. */
export type FlagSettings = Partial<Pick<AssistantConfig, 'endpoint' | 'model' | 'outputLanguage' | 'concurrency' | 'compareColumns'>>;

export interface CliRequest {
  readonly command: CliCommand;
  /** The note (or, for `summarize`, a PDF or other paper), absolute. */
  readonly target?: string;
  readonly question?: string;
  readonly term?: string;
  readonly heading?: string;
  readonly link?: string;
  /** ask: answer from the whole library (Ask Library) instead of the note's links. */
  readonly library?: boolean;
  /** index: print each file's state instead of updating. */
  readonly indexStatus?: boolean;
  /** index: read the files that failed again; batch: the papers that failed for good on an earlier run. */
  readonly retryFailed?: boolean;
  /** search: the query and the number of passages. */
  readonly query?: string;
  readonly limit?: number;
  /** The workspace root, absolute: links resolve inside it and its `.vscode/settings.json` is read. */
  readonly workspace: string;
  readonly flags: FlagSettings;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly write: boolean;
  /** Do not answer from the result cache (a new request is made; its answer is cached again). */
  readonly noCache: boolean;
  /** The core's log on stderr. */
  readonly verbose: boolean;
  /** batch: where the notes go (absolute; default the batch.notesFolder setting under the workspace). */
  readonly out?: string;
}

/** What parsing decided: run a request, or stop with an exit code (help, version, usage error). */
export type ParseOutcome = { readonly kind: 'run'; readonly request: CliRequest } | { readonly kind: 'exit'; readonly code: number };

export interface ParseEnvironment {
  readonly cwd: string;
  readonly version: string;
  /** Where commander writes help (stdout) and errors (stderr). */
  readonly writeOut: (text: string) => void;
  readonly writeErr: (text: string) => void;
}

const LANGUAGES = ['auto', 'en', 'zh-CN', 'bilingual'] as const;

function concurrencyArg(value: string): 'auto' | number {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected "auto" or a whole number ≥ 1.');
  return n;
}

function limitArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000.');
  return n;
}

function columnsArg(value: string): string[] {
  const columns = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (columns.length === 0) throw new InvalidArgumentError('expected comma-separated column names, e.g. "Aim,Method,Sample size".');
  return columns;
}

interface CommonOptions {
  workspace?: string;
  endpoint?: string;
  model?: string;
  lang?: (typeof LANGUAGES)[number];
  concurrency?: 'auto' | number;
  cache: boolean;
  json?: boolean;
  quiet?: boolean;
  write?: boolean;
  verbose?: boolean;
}

/** Options every command takes (repeated on each so that `<command> --help` lists them all). */
function common(command: Command, { write }: { write: boolean }): Command {
  command
    .option(
      '--workspace <dir>',
      'workspace root: links resolve inside it, its .vscode/settings.json is read (default: the current directory)',
    )
    .option('--endpoint <url>', 'model server: "auto" or a base URL such as http://127.0.0.1:11434')
    .option('--model <name>', 'model to use (default: the setting, else one the server offers)')
    .addOption(new Option('--lang <language>', 'output language').choices(LANGUAGES))
    .option('--concurrency <n>', 'parallel requests for long inputs: "auto" or a number', concurrencyArg)
    .option('--no-cache', 'ask the model again even when a cached answer exists')
    .option('--json', 'print one JSON document on stdout instead of markdown')
    .option('-q, --quiet', 'no progress or notices on stderr (errors and warnings still)')
    .option('--verbose', "the assistant's log on stderr (requests, cache hits, timings)");
  if (write) command.option('-w, --write', 'insert the block into the note, as the editor command does (a re-run replaces it)');
  return command;
}

function examples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${BIN} ${l}`).join('\n')}\n`);
}

/** Builds the program; `onRun` receives the parsed request of whichever command was given. */
export function buildProgram(env: ParseEnvironment, onRun: (request: CliRequest) => void): Command {
  const program = new Command(BIN)
    .description('Local Research Assistant on the command line: summaries, comparisons and grounded answers from a local model server.')
    .version(env.version, '-V, --version', 'print the version')
    .helpCommand('help [command]', 'help for a command')
    .showHelpAfterError(`(run \`${BIN} <command> --help\` for usage)`)
    .configureOutput({ writeOut: env.writeOut, writeErr: env.writeErr })
    .exitOverride();
  program.addHelpText(
    'after',
    `\nExit codes: 0 done · 1 done with problems · 2 usage · 3 no model server / connection · 4 input · 130 interrupted\n` +
      `Settings: defaults < ~/.config/local-research-assistant/settings.json < <workspace>/.vscode/settings.json < RESEARCH_ASSISTANT_* < flags`,
  );

  const request = (command: CliCommand, opts: CommonOptions, fields: Partial<CliRequest>, extra: FlagSettings = {}): CliRequest => {
    const workspace = resolve(env.cwd, opts.workspace ?? '.');
    const flags: FlagSettings = {
      ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
      ...(opts.model !== undefined ? { model: opts.model } : {}),
      ...(opts.lang !== undefined ? { outputLanguage: opts.lang } : {}),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...extra,
    };
    return {
      command,
      workspace,
      flags,
      json: opts.json === true,
      quiet: opts.quiet === true,
      write: opts.write === true,
      noCache: !opts.cache,
      verbose: opts.verbose === true,
      ...fields,
      ...(fields.target !== undefined ? { target: resolve(env.cwd, fields.target) } : {}),
    };
  };
  const nonEmpty = (what: string, value: string): string => {
    if (value.trim() === '') throw new UsageError(`${what} is empty.`);
    return value;
  };

  const summarize = common(program.command('summarize'), { write: true })
    .description('structured summary of a note, of one paper it links (--link), or of a PDF')
    .argument('<file>', 'a markdown note, or a paper (PDF, text, TeX, HTML)')
    .option('--link <link>', 'summarize only this linked paper: the link as written in the note, e.g. "papers/x.pdf" or "[[x.pdf]]"')
    .action((file: string, opts: CommonOptions & { link?: string }) =>
      onRun(request('summarize', opts, { target: file, ...(opts.link !== undefined ? { link: nonEmpty('--link', opts.link) } : {}) })),
    );
  examples(summarize, [
    'summarize notes/review.md',
    'summarize notes/review.md --link papers/smith2024.pdf --write',
    'summarize papers/smith2024.pdf --json > smith2024.json',
  ]);

  const compare = common(program.command('compare'), { write: true })
    .description("comparison table of the note's linked papers")
    .argument('<note>', 'a markdown note linking two or more papers')
    .option('--columns <list>', 'table columns, comma-separated (default: the compare.columns setting)', columnsArg)
    .action((note: string, opts: CommonOptions & { columns?: string[] }) =>
      onRun(request('compare', opts, { target: note }, opts.columns ? { compareColumns: opts.columns } : {})),
    );
  examples(compare, ['compare notes/review.md', 'compare notes/review.md --columns "Aim,Method,Sample size" --write']);

  const ask = common(program.command('ask'), { write: true })
    .description("answer a question from the note and the papers it links, with citations; says so when they don't contain the answer")
    .argument('<note>', 'a markdown note')
    .argument('<question>', 'the question, in quotes')
    .option('--library', "answer from the passages found across the workspace's papers and notes, citing paper and page")
    .action((note: string, question: string, opts: CommonOptions & { library?: boolean }) =>
      onRun(
        request('ask', opts, { target: note, question: nonEmpty('The question', question), ...(opts.library ? { library: true } : {}) }),
      ),
    );
  examples(ask, [
    'ask notes/review.md "What sample sizes were used?"',
    'ask notes/review.md "Which paper used MRI?" --json',
    'ask --library notes/review.md "Which studies measured recall after sleep?" --write',
  ]);

  const explain = common(program.command('explain'), { write: true })
    .description('explain a term, grounded in the note and its linked papers (a footnote or a callout, per setting)')
    .argument('<note>', 'a markdown note')
    .argument('<term>', 'the term, in quotes')
    .action((note: string, term: string, opts: CommonOptions) =>
      onRun(request('explain', opts, { target: note, term: nonEmpty('The term', term) })),
    );
  examples(explain, ['explain notes/review.md "attention rollout"', 'explain notes/review.md "attention rollout" --write']);

  const draft = common(program.command('draft'), { write: true })
    .description("draft paragraphs for a section from the note's linked papers, citing them as the note does")
    .argument('<note>', 'a markdown note')
    .requiredOption('--heading <heading>', 'the heading (or outline line) to draft under, as written in the note')
    .action((note: string, opts: CommonOptions & { heading: string }) =>
      onRun(request('draft', opts, { target: note, heading: nonEmpty('--heading', opts.heading) })),
    );
  examples(draft, ['draft notes/grant.md --heading "Background"', 'draft notes/grant.md --heading "## Preliminary data" --write']);

  const check = common(program.command('check'), { write: false })
    .description("check the figures and quotes in the note's generated blocks against their sources; exit 1 when any is unsupported")
    .argument('<note>', 'a markdown note with generated blocks')
    .action((note: string, opts: CommonOptions) => onRun(request('check', opts, { target: note })));
  examples(check, ['check notes/review.md', 'check notes/review.md --json | jq .figures']);

  const context = common(program.command('context'), { write: false })
    .description('what would be sent: each source, its tokens, and the total against the usable context')
    .argument('<note>', 'a markdown note')
    .action((note: string, opts: CommonOptions) => onRun(request('context', opts, { target: note })));
  examples(context, ['context notes/review.md', 'context notes/review.md --json']);

  const status = common(program.command('status'), { write: false })
    .description('the model server: kind, version, model, usable context, parallel slots')
    .action((opts: CommonOptions) => onRun(request('status', opts, {})));
  examples(status, ['status', 'status --endpoint http://127.0.0.1:8000 --json']);

  const batch = common(program.command('batch'), { write: false })
    .description(
      'a note per paper (front matter, link, grounded summary) and a literature matrix for a folder of PDFs; resumable, ' +
        'unchanged papers are skipped; exit 1 with the list when a paper failed',
    )
    .argument('<folder>', 'the folder of papers (PDFs, read recursively)')
    .option('--out <dir>', 'where the notes and the matrix go (default: the batch.notesFolder setting, "Literature/")')
    .option('--columns <list>', 'matrix columns, comma-separated (default: the compare.columns setting)', columnsArg)
    .option('--retry-failed', 'read again the papers that failed for good on an earlier run (corrupt, image-only…)')
    .action((folder: string, opts: CommonOptions & { out?: string; columns?: string[]; retryFailed?: boolean }) =>
      onRun(
        request(
          'batch',
          opts,
          {
            target: folder,
            ...(opts.out !== undefined ? { out: resolve(env.cwd, nonEmpty('--out', opts.out)) } : {}),
            retryFailed: opts.retryFailed === true,
          },
          opts.columns ? { compareColumns: opts.columns } : {},
        ),
      ),
    );
  examples(batch, [
    'batch papers/',
    'batch ~/Downloads/today --out Literature/daily --columns "Aim,Method,Sample size"',
    'batch papers/ --retry-failed',
  ]);

  // Commands of the library and citation work: listed so scripts get a clear answer, not "unknown command".
  const index = common(program.command('index'), { write: false })
    .description(
      "build or update the library index of the workspace's papers and notes (unchanged files are not read again); " +
        "with an embedding model, also the new passages' vectors",
    )
    .argument('[folder]', 'the workspace folder to index (default: --workspace, else the current directory)')
    .option('--status', "print each file's state (indexed, failed with the reason, skipped with why) without updating")
    .option('--retry-failed', 'read the files that failed again')
    .action((folder: string | undefined, opts: CommonOptions & { status?: boolean; retryFailed?: boolean }) =>
      onRun(
        request('index', folder !== undefined ? { ...opts, workspace: folder } : opts, {
          ...(opts.status ? { indexStatus: true } : {}),
          ...(opts.retryFailed ? { retryFailed: true } : {}),
        }),
      ),
    );
  examples(index, ['index', 'index ~/papers --retry-failed', 'index --status --json | jq \'.files[] | select(.state == "failed")\'']);

  const search = common(program.command('search'), { write: false })
    .description('search the library: the passages that best match the query, with file, page and section')
    .argument('<query>', 'words to search for, in quotes')
    .option('--limit <n>', 'number of passages (default 10)', limitArg)
    .action((query: string, opts: CommonOptions & { limit?: number }) =>
      onRun(request('search', opts, { query: nonEmpty('The query', query), ...(opts.limit !== undefined ? { limit: opts.limit } : {}) })),
    );
  examples(search, ['search "sleep and memory consolidation"', 'search "睡眠 记忆" --limit 5 --json']);

  // Commands of the batch and citation work: listed so scripts get a clear answer, not "unknown command".
  const later = (name: string, args: string, what: string): void => {
    program
      .command(`${name} ${args}`.trim())
      .description(`${what} (not available yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new UsageError(`${name} is not available yet: it comes with a later version of Local Research Assistant.`);
      });
  };
  later('references', '[note]', "the note's references in a citation style");
  return program;
}

/**
 * Parses `argv` (the arguments after the program name). Help and version print through `env` and exit 0;
 * a usage error prints one line and exits 2.
 */
export function parseCommandLine(argv: readonly string[], env: ParseEnvironment): ParseOutcome {
  let parsed: CliRequest | undefined;
  const program = buildProgram(env, (request) => {
    parsed = request;
  });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof UsageError) {
      env.writeErr(`${BIN}: ${error.message}\n`);
      return { kind: 'exit', code: 2 };
    }
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander's exitOverride; their exit code is 0.
      return { kind: 'exit', code: error.exitCode === 0 ? 0 : 2 };
    }
    throw error;
  }
  if (!parsed) {
    program.outputHelp({ error: true });
    return { kind: 'exit', code: 2 };
  }
  return { kind: 'run', request: parsed };
}
