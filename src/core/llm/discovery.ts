import { AssistantError, throwIfAborted } from '../errors';
import { dialectFor, LISTING_ORDER, PROBE_ORDER } from './dialects';
import type { DetectedServer, ModelEntry, ModelFacts, Probes } from './dialects/dialect';
import { autoRoots, parseEndpoint } from './endpoint';
import { asArray, asRecord, httpGet, type Http, type HttpResult } from './http';

export type { DetectedServer, ModelEntry, ModelFacts } from './dialects/dialect';
export type { Http } from './http';
export { OLLAMA_CONTEXT_CAP } from './dialects/ollama';

export interface DetectOptions extends Http {
  readonly endpoint: string;
  readonly allowRemote: boolean;
  /** Ports `auto` probes (tests pass the fake server's port). */
  readonly ports?: readonly number[];
}

type Fingerprint = DetectedServer | 'no-answer' | 'not-llm' | { loading: string };

/**
 * Asks each server's dialect in turn whether the root is its server; answers are shared, so a path several
 * dialects look at is fetched once. Nothing answering the first probe means nothing listens there.
 */
export async function fingerprint(root: string, http: Http): Promise<Fingerprint> {
  const probes = sharedProbes(root, http);
  for (const dialect of PROBE_ORDER) {
    const verdict = await dialect.probe?.(probes);
    if (verdict !== undefined) return verdict;
    if (!probes.anyAnswer()) return 'no-answer';
  }
  const models = await probes.get('/v1/models');
  if (models !== undefined) {
    const body = asRecord(models.json);
    const listing = { status: models.status, body, first: asRecord(asArray(body?.data)[0]) };
    const claimant = LISTING_ORDER.find((d) => d.claimsModelList?.(listing) === true);
    if (claimant) return { kind: claimant.kind, root };
  }
  return 'not-llm';
}

function sharedProbes(root: string, http: Http): Probes & { anyAnswer(): boolean } {
  const answers = new Map<string, Promise<HttpResult | undefined>>();
  let answered = false;
  return {
    root,
    get(path) {
      let answer = answers.get(path);
      if (answer === undefined) {
        answer = httpGet(http, `${root}${path}`).then((r) => {
          if (r !== undefined) answered = true;
          return r;
        });
        answers.set(path, answer);
      }
      return answer;
    },
    anyAnswer: () => answered,
  };
}

/**
 * Finds the server: `auto` probes 127.0.0.1 on the default ports in parallel and takes the first (in port
 * order) that fingerprints as a model server; an explicit URL is tried as given (`localhost` as 127.0.0.1, then ::1).
 */
export async function detectServer(options: DetectOptions): Promise<DetectedServer> {
  const auto = options.endpoint.trim() === '' || options.endpoint.trim().toLowerCase() === 'auto';
  const roots = auto ? autoRoots(options.ports) : parseEndpoint(options.endpoint, options.allowRemote).roots;
  const results: Fingerprint[] = auto ? await Promise.all(roots.map((r) => fingerprint(r, options))) : await sequential(roots, options);
  throwIfAborted(options.signal);
  for (const [i, r] of results.entries()) {
    options.logger.debug(`probe ${roots[i] ?? ''}: ${typeof r === 'string' ? r : 'loading' in r ? 'loading' : r.kind}`);
  }
  const found = results.find((r): r is DetectedServer => typeof r === 'object' && 'kind' in r);
  if (found) return found;
  const loading = results.find((r): r is { loading: string } => typeof r === 'object' && 'loading' in r);
  if (loading) throw new AssistantError('Busy', `${loading.loading} is still loading the model`, { data: { detail: 'loading the model' } });
  const probed = roots.join(', ');
  if (results.includes('not-llm')) {
    throw new AssistantError('EndpointUnreachable', `Something answered at ${probed} but it is not an OpenAI-compatible model server`, {
      data: { probed, detail: 'not a model server' },
    });
  }
  throw new AssistantError('EndpointUnreachable', `No model server answered at ${probed}`, { data: { probed } });
}

async function sequential(roots: readonly string[], http: Http): Promise<Fingerprint[]> {
  const out: Fingerprint[] = [];
  for (const root of roots) {
    const r = await fingerprint(root, http);
    out.push(r);
    if (r !== 'no-answer') break;
  }
  return out;
}

/** Chat-capable models on the server (embedding models left out). Throws NoModels for an empty list. */
export async function listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]> {
  const entries = await dialectFor(server.kind).listModels(server, http);
  if (entries.length === 0)
    throw new AssistantError('NoModels', `${server.kind} at ${server.root} lists no chat models`, { data: { endpoint: server.root } });
  return entries;
}

/**
 * The configured model when set (must exist), else the best default: a Qwen3 instruct model, loaded ones first
 * (LM Studio/Ollama would otherwise load another model on first use), thinking-only models last.
 */
export function pickModel(entries: readonly ModelEntry[], wanted: string): ModelEntry {
  if (wanted.trim() !== '') {
    const w = wanted.trim();
    const found =
      entries.find((e) => e.id === w) ??
      entries.find((e) => e.id.toLowerCase() === w.toLowerCase()) ??
      entries.find((e) => e.id.toLowerCase() === `${w.toLowerCase()}:latest`);
    if (!found)
      throw new AssistantError('ModelNotFound', `Model ${w} is not on the server (has: ${entries.map((e) => e.id).join(', ')})`, {
        data: { model: w },
      });
    return found;
  }
  const score = (e: ModelEntry): number => {
    const id = e.id.toLowerCase();
    let s = 0;
    if (/qwen3/.test(id)) s += 8;
    else if (/qwen/.test(id)) s += 4;
    if (/instruct/.test(id)) s += 4;
    if (/thinking|[-_]r1\b|qwq/.test(id)) s -= 6;
    if (/coder|vl\b|embed|rerank/.test(id)) s -= 3;
    if (e.loaded === true) s += 2;
    return s;
  };
  let best = entries[0];
  if (best === undefined) throw new AssistantError('NoModels', 'The server lists no models');
  for (const e of entries) if (score(e) > score(best)) best = e;
  return best;
}

/** Conservative context for servers that do not say (generic OpenAI-compatible, LM Studio model not loaded). */
export const FALLBACK_CONTEXT = 4096;

/**
 * Usable context and slots as the server's dialect reads them. `override` (the contextLength setting, 0 = none)
 * wins, bounded by the trained context where the context is ours to choose; unknown → FALLBACK_CONTEXT.
 */
export async function readModelFacts(server: DetectedServer, model: ModelEntry, override: number, http: Http): Promise<ModelFacts> {
  const read = await dialectFor(server.kind).readContext(server, model, http);
  const common = {
    parallelSlots: Math.max(1, read.parallelSlots),
    trainedContext: read.trainedContext,
    thinking: read.thinking,
    notes: read.notes,
  };
  if (override > 0) {
    const bounded = read.trainedContext !== undefined ? Math.min(override, read.trainedContext) : override;
    return { ...common, contextLength: bounded, contextSource: 'override' };
  }
  const context = read.contextLength;
  if (context === undefined || context <= 0) return { ...common, contextLength: FALLBACK_CONTEXT, contextSource: 'default' };
  return { ...common, contextLength: context, contextSource: 'server' };
}
