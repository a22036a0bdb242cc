/**
 * Batch reading rows, through the real core (runBatch over the Node ports and the shipped PDF engine): 50 generated
 * one-page papers read into notes and a two-column matrix on a fake llama.cpp server with 1 slot and then with 4,
 * each run from scratch (new extraction and result caches, a new notes folder). Fixed cost per token: generated
 * tokens at `tokensPerSecond` per slot, prompts at 50,000 tokens/s; the fake's canned answers have about the same
 * length for every paper. A warm-up batch of 4 papers comes first (worker pool, JIT). Then the 4-slot batch again on the
 * unchanged folder: it must send no request.
 * usage: batch <json-args>  with { runs, engine, prompts, tmp }; prints one JSON line.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import {
  DEFAULT_CONFIG,
  InMemoryKeyValueStore,
  createAssistant,
  resolveConfig,
  runBatch,
  type BatchProgress,
  type PromptFile,
} from '../../src/core';
import { NodeBatchFiles } from '../../src/node/batchQueueStore';
import { NodeWorkspace, fileUri, loadEngineModule } from '../../src/node';
import { startFakeProcess } from './fakeProcess';

interface Args {
  readonly runs: number;
  readonly engine: string;
  readonly prompts: string;
  readonly tmp: string;
}

const PAPERS = 50;
const TOKENS_PER_SECOND = 400;
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const engine = loadEngineModule(args.engine);
const builtins: PromptFile[] = readdirSync(args.prompts)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .map((f) => ({ file: f, text: readFileSync(join(args.prompts, f), 'utf8') }));

/** A one-page paper whose sentences name it, so no two papers share text (or cache entries). */
async function paper(i: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  page.drawText(`Study ${i} of sleep and memory`, { x: 60, y: 740, size: 16, font });
  for (let line = 0; line < 30; line++) {
    const text = `In study ${i} the cohort ${line} of ${20 + ((i * 7 + line) % 60)} adults recalled ${line + i}% more words after sleep.`;
    page.drawText(text, { x: 60, y: 700 - line * 20, size: 9, font });
  }
  return doc.save();
}

/** One batch run from scratch on a server with `slots` slots: wall time, requests, and the re-run's requests. */
async function batchOn(slots: number, workspace: string, papers: readonly string[], rerun: boolean) {
  const fake = await startFakeProcess({
    flavour: 'llamacpp',
    ctx: 8192,
    slots,
    tokensPerSecond: TOKENS_PER_SECOND,
    prefillTokensPerSecond: 50_000,
  });
  try {
    const assistant = createAssistant({
      ports: {
        files: new NodeWorkspace([workspace]),
        store: new InMemoryKeyValueStore(),
        prompts: { builtins: () => Promise.resolve(builtins), overrides: () => Promise.resolve([]) },
        pdf: engine.pdf,
        bibtex: engine.bibtex,
      },
      settings: () => resolveConfig({ ...DEFAULT_CONFIG, endpoint: fake.url }),
    });
    const notes = join(workspace, `Literature-${slots}-${Date.now()}`);
    const run = (onProgress?: (p: BatchProgress) => void) =>
      runBatch(
        { assistant, files: new NodeBatchFiles(), folders: [fileUri(workspace)] },
        {
          papers: papers.map(fileUri),
          notesFolder: fileUri(notes),
          columns: ['Aim', 'Sample size'],
          concurrency: 'auto',
          signal: new AbortController().signal,
          ...(onProgress ? { onProgress } : {}),
        },
      );
    await assistant.connect(new AbortController().signal);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let papersDone = 0;
    const first = await run((p) => {
      if (p.finished === p.total) papersDone = performance.now();
    });
    const ms = performance.now() - t0;
    const matrixMs = performance.now() - papersDone;
    const used = process.cpuUsage(cpu0);
    const cpuMs = (used.user + used.system) / 1000;
    const stats = await fake.stats();
    let rerunRequests: number | undefined;
    if (rerun) {
      const before = stats.chats.length;
      await run();
      rerunRequests = (await fake.stats()).chats.length - before;
    }
    assistant.dispose();
    rmSync(notes, { recursive: true, force: true });
    return { ms, matrixMs, cpuMs, requests: first.requests, failed: first.failures.length, maxActive: stats.maxActive, rerunRequests };
  } finally {
    await fake.close();
  }
}

async function main(): Promise<void> {
  const workspace = join(args.tmp, 'ws');
  mkdirSync(join(workspace, 'papers'), { recursive: true });
  const papers: string[] = [];
  for (let i = 1; i <= PAPERS; i++) {
    const file = join(workspace, 'papers', `paper-${String(i).padStart(2, '0')}.pdf`);
    writeFileSync(file, await paper(i));
    papers.push(file);
  }
  // Warm-up: the engine's worker pool and the JIT start on a few papers, so neither measured run pays for them.
  await batchOn(4, workspace, papers.slice(0, 4), false);
  // One run of each: two would take the group over two minutes (the sequential run alone is about 45 s).
  const runs = 1;
  const one: number[] = [];
  const four: number[] = [];
  let last: Awaited<ReturnType<typeof batchOn>> | undefined;
  let sequential: Awaited<ReturnType<typeof batchOn>> | undefined;
  for (let r = 0; r < runs; r++) {
    sequential = await batchOn(1, workspace, papers, false);
    one.push(sequential.ms);
    last = await batchOn(4, workspace, papers, r === runs - 1);
    four.push(last.ms);
  }
  console.log(
    JSON.stringify({
      papers: PAPERS,
      tokensPerSecond: TOKENS_PER_SECOND,
      slots1: {
        ms: one,
        matrixMs: sequential?.matrixMs,
        cpuMs: sequential?.cpuMs,
        requests: sequential?.requests,
        failed: sequential?.failed,
      },
      slots4: {
        ms: four,
        matrixMs: last?.matrixMs,
        cpuMs: last?.cpuMs,
        requests: last?.requests,
        failed: last?.failed,
        maxActive: last?.maxActive,
      },
      rerunRequests: last?.rerunRequests,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
