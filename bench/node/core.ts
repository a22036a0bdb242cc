/**
 * Core rows, in plain Node through the real core code (scripts/bench.mjs bundles and spawns this):
 * overhead before the first request byte (first action of a session, and a later one in the same session), cache
 * hit, map-reduce on 1 and 4 slots, grounding.
 * usage: core <json-args>  with { runs, engine, pdfs: string[], prompts, tmp }; prints one JSON line.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { basename, join } from 'node:path';
import {
  DEFAULT_CONFIG,
  DefaultSourceReader,
  ExtractionCache,
  contentHash,
  PromptLibrary,
  ResultCache,
  ask,
  connect,
  nullLogger,
  nullProgress,
  resolveConfig,
  resolveLanguage,
  summarize,
  InMemoryKeyValueStore,
  NoteParser,
  type ActionContext,
  type ConnectedSession,
  type NoteDocument,
  type Source,
} from '../../src/core';
import { GroundingIndexCache, checkText } from '../../src/core/grounding';
import { NodeFileStore, NodeWorkspace, fileUri, loadEngineModule, nodeContentHash, nodeTextHash } from '../../src/node';
import { startFakeProcess } from './fakeProcess';

interface Args {
  readonly runs: number;
  readonly engine: string;
  /** The papers the 70,000-character note links (five). */
  readonly pdfs: readonly string[];
  /** The PDFs whose text makes the 500 pages of the grounding row. */
  readonly groundingPdfs?: readonly string[];
  readonly prompts: string;
  readonly tmp: string;
  /** The PDF rows' extraction cache (same store format and keys as here); a fresh one when absent. */
  readonly pdfCache?: string;
  readonly only?: readonly string[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const engine = loadEngineModule(args.engine);
const prompts = PromptLibrary.load(
  readdirSync(args.prompts)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => ({ file: f, text: readFileSync(join(args.prompts, f), 'utf8') })),
);
const out: Record<string, unknown> = {};

/** Wall time of one call, in milliseconds. */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
const wanted = (name: string): boolean => !args.only || args.only.includes(name);

function context(session: ConnectedSession, store = new InMemoryKeyValueStore()): ActionContext {
  return {
    session,
    prompts,
    config: resolveConfig({ ...DEFAULT_CONFIG }),
    // Keys hashed with node:crypto, as both hosts (extension host, CLI) do.
    cache: new ResultCache(store, false, nodeTextHash),
    logger: nullLogger,
    progress: nullProgress,
    signal: new AbortController().signal,
  };
}

async function session(url: string): Promise<ConnectedSession> {
  return connect(
    { config: resolveConfig({ ...DEFAULT_CONFIG, endpoint: url }), retry: { attempts: 0, baseDelayMs: 0 } },
    new AbortController().signal,
  );
}

/**
 * A TCP pass-through in front of the fake server that timestamps (performance.now(), this process) the first
 * byte of every chat request: the moment a request line `POST …/chat/completions` starts on a connection.
 */
async function firstByteProxy(
  targetPort: number,
): Promise<{ url: string; chatStarts: number[]; readonly lastChatBytes: number; close: () => Promise<void> }> {
  const chatStarts: number[] = [];
  let lastChatBytes = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, 2048);
      if (/^POST \S*(chat\/completions|api\/chat)/.test(head)) {
        chatStarts.push(performance.now());
        lastChatBytes = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    chatStarts,
    get lastChatBytes() {
      return lastChatBytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A research note of exactly `size` characters: headings, prose with figures, and links to the papers. */
function makeNote(size: number, papers: readonly string[]): string {
  const head = `---\ntitle: Literature notes on deep learning in biomedicine\ntags: [review, methods]\n---\n\n# Literature notes\n\nPapers: ${papers.map((p) => `[[${p}]]`).join(', ')}\n\n`;
  let body = '';
  for (let i = 1; body.length + head.length < size; i++) {
    if (i % 12 === 1) body += `\n## Topic ${Math.ceil(i / 12)}: observations and open questions\n\n`;
    body +=
      `Observation ${i}: in cohort ${(i % 7) + 1} the model reached an accuracy of ${(70 + ((i * 37) % 29)).toFixed(1)}% (n = ${20 + ((i * 13) % 180)}), ` +
      `compared with ${(60 + ((i * 17) % 31)).toFixed(1)}% for the baseline; the effect held after adjusting for age and site, ` +
      `but the confidence interval was wide (${(i % 9) / 10 + 0.1} to ${(i % 9) / 10 + 0.6}). See ${papers[i % papers.length] ?? 'the papers'} for details.\n\n`;
  }
  return (head + body).slice(0, size);
}

async function overheadAndCache(): Promise<void> {
  const ws = join(args.tmp, 'ws');
  mkdirSync(join(ws, 'papers'), { recursive: true });
  const papers = args.pdfs.slice(0, 5);
  for (const p of papers) symlinkSync(p, join(ws, 'papers', basename(p)));
  const text = makeNote(
    70_000,
    papers.map((p) => `papers/${basename(p)}`),
  );
  writeFileSync(join(ws, 'note.md'), text);
  const document: NoteDocument = { uri: fileUri(join(ws, 'note.md')), version: 1, languageId: 'markdown', getText: () => text };
  const files = new NodeWorkspace(ws);
  const config = resolveConfig({ ...DEFAULT_CONFIG });
  // The note's parse outlives a session's reader as it does in the extension, where the assistant's one note
  // parser serves the editor's CodeLenses (which parse an open note before any action) and every reader.
  const notes = new NoteParser();
  notes.parse(text);
  // A reader as a session of the extension makes it: the persisted extraction cache (on disk, shared by all
  // sessions) behind a fresh in-memory layer. A new reader = the first action of a new session.
  const newSession = (): DefaultSourceReader =>
    new DefaultSourceReader({
      files,
      workspace: files,
      pdf: () => Promise.resolve(engine.pdf),
      bibtex: () => Promise.resolve(engine.bibtex),
      config: () => config,
      isTrusted: () => true,
      // Hashed with node:crypto, as both hosts (extension host, CLI) do.
      cache: new ExtractionCache(new NodeFileStore(args.pdfCache ?? join(args.tmp, 'pdf-cache')), undefined, { hash: nodeContentHash }),
      parser: notes,
    });
  // vLLM with Qwen3's full 262,144-token window: the note and the five papers fit one request, so the
  // measured path is parse → links → cache look-ups → prompt → request (no map step).
  const fake = await startFakeProcess({ flavour: 'vllm', ctx: 262_144, reply: 'A short answer (p. 1).' });
  const proxy = await firstByteProxy(fake.port);
  try {
    const llm = await session(proxy.url);
    const question = 'Which accuracy did the models reach?';
    const run = async (
      store: InMemoryKeyValueStore,
      reader: DefaultSourceReader,
    ): Promise<{ firstByteMs: number | undefined; collectMs: number; totalMs: number; requests: number; chats: number }> => {
      const before = proxy.chatStarts.length;
      const chatsBefore = (await fake.stats()).chats.length;
      const t0 = performance.now();
      const collected = await reader.collect(document, { links: 'all', signal: new AbortController().signal });
      const collectMs = performance.now() - t0;
      const sources = [collected.note, ...collected.sources];
      const bad = sources.filter((s) => s.status !== 'ok');
      if (bad.length > 0) throw new Error(`unreadable sources: ${bad.map((s) => `${s.id}: ${s.statusDetail ?? s.status}`).join('; ')}`);
      const result = await ask(context(llm, store), { question, sources, language: resolveLanguage('auto', text) }, () => undefined);
      const totalMs = performance.now() - t0;
      const start = proxy.chatStarts[before];
      return {
        firstByteMs: start === undefined ? undefined : start - t0,
        collectMs,
        totalMs,
        requests: result.requests,
        chats: (await fake.stats()).chats.length - chatsBefore,
      };
    };
    // First run: fills the extraction cache unless the PDF rows already did (reported, not a target).
    const cold = await run(new InMemoryKeyValueStore(), newSession());
    // The first action of a session on cached papers: each run a new session (nothing of the papers in memory: every
    // PDF is stat'ed, its hash found under its stored stamp, and its extraction read from the persisted cache), the
    // result cache empty.
    const overhead: number[] = [];
    const collect: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const r = await run(new InMemoryKeyValueStore(), newSession());
      if (r.firstByteMs === undefined || r.chats !== 1) throw new Error(`expected one chat request, saw ${r.chats}`);
      overhead.push(r.firstByteMs);
      collect.push(r.collectMs);
    }
    const chars = proxy.lastChatBytes;
    out['overhead'] = {
      ms: overhead,
      collectMs: collect,
      coldMs: cold.totalMs,
      promptBytes: chars,
      noteChars: text.length,
      papers: papers.map((p) => basename(p)),
      promptTokens: (await fake.stats()).chats.at(-1)?.promptTokens,
    };

    // A later action in the same session (the result cache empty, as for a new question): the unchanged papers
    // come from the session's memory (same size and mtime), neither read nor hashed.
    const sameSession = newSession();
    await run(new InMemoryKeyValueStore(), sameSession);
    const later: number[] = [];
    const laterCollect: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const r = await run(new InMemoryKeyValueStore(), sameSession);
      if (r.firstByteMs === undefined || r.chats !== 1) throw new Error(`expected one chat request, saw ${r.chats}`);
      later.push(r.firstByteMs);
      laterCollect.push(r.collectMs);
    }
    out['overheadInSession'] = { ms: later, collectMs: laterCollect };

    // Cache hit: the same action again on unchanged input in the same session, the result store warm.
    const store = new InMemoryKeyValueStore();
    await run(store, sameSession);
    const hits: number[] = [];
    let requests = 0;
    for (let i = 0; i < args.runs; i++) {
      const r = await run(store, sameSession);
      hits.push(r.totalMs);
      requests += r.chats + r.requests;
    }
    out['cacheHit'] = { ms: hits, requests };
  } finally {
    await proxy.close();
    await fake.close();
  }
}

/** A long paper as the reader makes it: sections of prose with figures, with a page per section. */
function bigPaper(chars: number, sectionChars: number): Source {
  const sections = [];
  let all = '';
  for (let s = 1; all.length < chars; s++) {
    let t = `[page ${s}]\n\n`;
    for (let k = 1; t.length < sectionChars; k++)
      t += `In experiment ${s}.${k} the treated group improved by ${(s * 7 + k) % 97}% over ${10 + k} weeks, a change the authors attribute to the dose schedule. `;
    sections.push({ title: `${s} Section ${s}`, level: 1, text: t, location: { page: s }, role: 'body' as const });
    all += `${t}\n\n`;
  }
  return {
    id: 'papers/long.pdf',
    uri: 'file:///ws/papers/long.pdf',
    title: 'A long paper',
    kind: 'pdf',
    status: 'ok',
    text: all,
    sections,
    tokenEstimate: Math.ceil(all.length / 4),
  };
}

async function mapReduce(): Promise<void> {
  // Fixed per-token cost: 1,000 generated tokens/s per slot, prompt processing at 50,000 tokens/s, and
  // every answer the same 120 tokens (120 four-character words, 1 token each in the fake server's tokenizer).
  const reply = Array.from({ length: 120 }, (_, i) => `n${String(i).padStart(3, '0')}`).join(' ');
  const paper = bigPaper(160_000, 4_000);
  const result: Record<string, unknown> = {};
  for (const slots of [1, 4]) {
    const fake = await startFakeProcess({
      flavour: 'llamacpp',
      ctx: 4096,
      slots,
      tokensPerSecond: 1000,
      prefillTokensPerSecond: 50_000,
      reply,
    });
    try {
      const llm = await session(fake.url);
      const walls: number[] = [];
      const mapWalls: number[] = [];
      let parts = 0;
      let requests = 0;
      let maxActive = 0;
      for (let i = 0; i < args.runs; i++) {
        const before = (await fake.stats()).chats.length;
        const { ms, value } = await timed(() => summarize(context(llm), { sources: [paper], language: 'en' }, () => undefined));
        walls.push(ms);
        parts = value.parts;
        requests = value.requests;
        const stats = await fake.stats();
        const map = stats.chats.slice(before).slice(0, -1);
        mapWalls.push(Math.max(...map.map((r) => r.endedAt ?? r.at)) - Math.min(...map.map((r) => r.at)));
        maxActive = Math.max(maxActive, stats.maxActive);
      }
      result[`slots${slots}`] = { ms: walls, mapMs: mapWalls, parts, requests, parallelSlots: llm.info.parallelSlots, maxActive };
    } finally {
      await fake.close();
    }
  }
  out['mapReduce'] = result;
}

async function grounding(): Promise<void> {
  // 500 pages of real extracted text: the corpus (or stand-in) PDFs, repeated as further sources until 500.
  const base: { name: string; text: string; pages: readonly string[] }[] = [];
  const cache = new ExtractionCache(new NodeFileStore(args.pdfCache ?? join(args.tmp, 'pdf-cache')));
  for (const p of args.groundingPdfs ?? args.pdfs) {
    const bytes = new Uint8Array(readFileSync(p));
    const e = (await cache.get(await contentHash(bytes))) ?? (await engine.pdf.extract(bytes, { name: basename(p) }));
    base.push({ name: basename(p), text: e.text, pages: e.pages });
  }
  const sources: Source[] = [];
  let pages = 0;
  for (let copy = 0; pages < 500; copy++) {
    for (const b of base) {
      if (pages >= 500) break;
      const take = Math.min(b.pages.length, 500 - pages);
      // Repeated papers get a line of their own, so every source is a text of its own: the index is shared by
      // sources with the same text, and 500 pages should cost what 500 distinct pages cost.
      const text =
        (copy > 0 ? `Further copy ${copy} of ${b.name}\n\n` : '') +
        b.pages
          .slice(0, take)
          .map((t, i) => `[page ${i + 1}]\n\n${t}`)
          .join('\n\n');
      pages += take;
      const id = `papers/${copy}-${b.name}`;
      sources.push({
        id,
        uri: `file:///ws/${id}`,
        title: b.name,
        kind: 'pdf',
        status: 'ok',
        text,
        sections: [{ title: b.name, level: 1, text, location: { page: 1 }, role: 'body' }],
        tokenEstimate: Math.ceil(text.length / 4),
      });
    }
  }
  // A 1,000-word summary made of source sentences with figures: every third as a quote, every fifth
  // with a changed number (so both supported and unsupported claims are checked).
  const sentences = base
    .flatMap((b) => b.text.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z])/))
    .filter((s) => /\d/.test(s) && s.length > 60 && s.length < 300 && !s.includes('"'));
  const lines: string[] = ['#### Findings'];
  let words = 0;
  const step = Math.max(1, Math.floor(sentences.length / 120));
  for (let i = 0, k = 0; words < 1000 && i < sentences.length * 3; i += step, k++) {
    let s = sentences[i % sentences.length] ?? '';
    if (k % 5 === 4) s = s.replace(/\d+(\.\d+)?/, (m) => String(Number(m) + 3));
    const line = k % 3 === 0 ? `- The authors write "${s.replace(/[.!?]$/, '')}" (p. 1).` : `- ${s} (p. 1)`;
    lines.push(line);
    words += line.split(/\s+/).filter(Boolean).length;
  }
  const summary = lines.join('\n');
  const indexMs: number[] = [];
  const checkMs: number[] = [];
  const coldCheckMs: number[] = [];
  const prepareMs: number[] = [];
  const prepareMaxStepMs: number[] = [];
  let prepareSteps = 0;
  let gramsInCold = 0;
  let checked = 0;
  let supported = 0;
  for (let i = 0; i < args.runs; i++) {
    // Cold: new Source objects and an empty index cache (the index is kept per Source object and per text),
    // so this times building everything a first check of never-seen sources needs, then that check.
    const coldCache = new GroundingIndexCache();
    const fresh = sources.map((s) => ({ ...s }));
    const t0 = performance.now();
    const cold = coldCache.build(fresh);
    const t1 = performance.now();
    const first = checkText(summary, cold);
    coldCheckMs.push(performance.now() - t1);
    indexMs.push(t1 - t0);
    // The q-gram index is built within the check only when a quote matches nowhere nearly verbatim.
    if (cold.sources.some((s) => s.index.hasGrams)) gramsInCold++;

    // As in the extension: the index (with its q-grams) built while the model generates, one source per
    // event-loop task; each step is timed (how long the extension host's event loop is held at most).
    const cache = new GroundingIndexCache();
    const generated = sources.map((s) => ({ ...s }));
    let last = performance.now();
    let steps = 0;
    let longest = 0;
    const p0 = last;
    await cache.prepare(generated, {
      yieldToHost: async () => {
        if (steps++ > 0) longest = Math.max(longest, performance.now() - last);
        await new Promise((resolve) => setImmediate(resolve));
        last = performance.now();
      },
    });
    prepareMaxStepMs.push(Math.max(longest, performance.now() - last));
    prepareMs.push(performance.now() - p0);
    prepareSteps = steps;
    // The check that follows the generated block: the index is ready.
    const t2 = performance.now();
    const r = checkText(summary, cache.build(generated));
    checkMs.push(performance.now() - t2);
    if (r.checked !== first.checked || r.supported !== first.supported)
      throw new Error(`cold and prepared checks differ: ${first.supported}/${first.checked} vs ${r.supported}/${r.checked}`);
    checked = r.checked;
    supported = r.supported;
  }
  out['grounding'] = {
    indexMs,
    checkMs,
    coldCheckMs,
    prepareMs,
    prepareMaxStepMs,
    prepareSteps,
    gramsInCold,
    pages,
    sources: sources.length,
    sourceChars: sources.reduce((n, s) => n + s.text.length, 0),
    words: summary.split(/\s+/).filter(Boolean).length,
    checked,
    supported,
  };
}

async function main(): Promise<void> {
  for (const [name, fn] of [
    ['overhead', overheadAndCache],
    ['mapReduce', mapReduce],
    ['grounding', grounding],
  ] as const) {
    if (!wanted(name)) continue;
    try {
      await fn();
    } catch (error) {
      out[`${name}Error`] = error instanceof Error ? error.message : String(error);
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
