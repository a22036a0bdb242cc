import type { AssistantConfig } from '../../config';
import type { AssistantError } from '../../errors';
import type { Logger } from '../../ports/logger';
import type { FetchLike, Http, HttpResult } from '../http';
import type { ChatMessage, ChatRequest, ChatUsage, ServerInfo, ServerKind } from '../types';

/**
 * Everything that differs between model servers lives behind this interface, one implementation per server
 * (ollama.ts, lmstudio.ts, vllm.ts, llamacpp.ts, openAiCompatible.ts). The session, the retry loop and the
 * detection driver only ever call these members; they never ask which server they talk to.
 */
export interface ServerDialect {
  readonly kind: ServerKind;
  /** The server's name as people know it (status bar, messages). */
  readonly displayName: string;
  /** How a user raises the usable context on this server, in English; hosts translate it. */
  readonly contextAdvice: string;
  /**
   * The server loads a model on first use with settings we cannot read beforehand, so the context we connected
   * with may be a guess: the host should connect again after the first answer to read the real one.
   */
  readonly contextKnownAfterLoad: boolean;

  /**
   * Recognises the server by a body only it produces. A single 200 proves nothing (some servers answer 200 to every
   * path, others imitate their neighbours' routes), so each dialect checks a shape. Undefined: not this server.
   */
  probe?(probes: Probes): Promise<ProbeVerdict | undefined>;
  /** Last resort when no probe matched: recognises the server from its `/v1/models` answer alone. */
  claimsModelList?(listing: ModelListProbe): boolean;

  /** Chat-capable models (embedding models left out); may be empty (the caller reports NoModels). */
  listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]>;
  /** What the server says about the model's usable context and parallel slots. */
  readContext(server: DetectedServer, model: ModelEntry, http: Http): Promise<ServerContext>;
  /**
   * Exact prompt size from the server's own tokenizer and chat template; undefined when it could not tell.
   * Absent on servers without a tokenizer endpoint (their counts are estimates).
   */
  countTokens?(messages: readonly ChatMessage[], target: ChatTarget, http: Http): Promise<number | undefined>;
  /** The chat transport for one connected session (it may keep state between requests, e.g. a growing num_ctx). */
  openChat(context: ChatContext): ChatTransport;
  /** How this server lists and runs embedding models. */
  readonly embeddings: EmbeddingDialect;
}

/** A model the library's embedder could use, as the server lists it. */
export interface EmbeddingModelEntry {
  readonly id: string;
  /** The server itself says it is an embedding model (LM Studio `type`, Ollama `capabilities`); else the name decides. */
  readonly embedding?: boolean;
  /** The largest input the listing reports, in tokens (vLLM max_model_len, LM Studio loaded context, llama.cpp batch). */
  readonly contextLength?: number;
}

/** The embedding side of a server: its listing, where to read a model's real input limit, and its wire shape. */
export interface EmbeddingDialect {
  /** Every model the server lists (chat models too: a user may name any), with what the listing tells. */
  listModels(server: DetectedServer, http: Http): Promise<EmbeddingModelEntry[]>;
  /** The model's largest input in tokens when the listing did not say; undefined when the server does not tell. */
  readContext?(server: DetectedServer, model: EmbeddingModelEntry, http: Http): Promise<number | undefined>;
  /** Ollama's native `/api/embed`, or the OpenAI `/v1/embeddings` every other server speaks. */
  readonly wire: 'ollama' | 'openai';
}

/** A server found by detection, with what the probes already read (so listing does not ask again). */
export interface DetectedServer {
  readonly kind: ServerKind;
  readonly root: string;
  readonly version?: string;
  /** llama.cpp `/props` body. */
  readonly props?: Record<string, unknown>;
}

export interface ModelEntry {
  readonly id: string;
  /** Loaded in memory now (LM Studio, Ollama), when the server says. */
  readonly loaded?: boolean;
  /** Usable context if the listing reports it (vLLM max_model_len, LM Studio loaded_context_length). */
  readonly contextLength?: number;
  /** The context the loaded model runs with, on servers that choose it per request (Ollama `/api/ps`). */
  readonly loadedContext?: number;
}

/** What a dialect reads about a model; the session applies the user's override and the fallback on top. */
export interface ServerContext {
  /** Usable context as the server reports it; undefined or 0 when it does not say. */
  readonly contextLength?: number;
  /** Requests the server runs in parallel. */
  readonly parallelSlots: number;
  /** The model's trained context, when the context is ours to choose (upper bound for an override). */
  readonly trainedContext?: number;
  /** Hybrid model that thinks unless told not to. */
  readonly thinking: boolean;
  /** Problems worth a log line and a status-bar hint. */
  readonly notes: readonly string[];
  /** The context the model is loaded with right now, where the server loads on demand and says (Ollama `/api/ps`). */
  readonly loadedContext?: number;
}

export interface ModelFacts {
  readonly contextLength: number;
  readonly contextSource: 'server' | 'override' | 'default';
  readonly parallelSlots: number;
  readonly trainedContext?: number;
  readonly thinking: boolean;
  readonly notes: readonly string[];
  readonly loadedContext?: number;
}

/** Answers during one root's fingerprinting, each path fetched at most once however many dialects ask for it. */
export interface Probes {
  readonly root: string;
  get(path: string): Promise<HttpResult | undefined>;
}

/** A recognised server, or one that is recognisably still loading its model. */
export type ProbeVerdict = DetectedServer | { readonly loading: string };

/** The `/v1/models` answer as the fallback recognition sees it. */
export interface ModelListProbe {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
  /** The first listed model. */
  readonly first: Record<string, unknown> | undefined;
}

export interface ChatTarget {
  readonly root: string;
  readonly model: string;
}

/** What a chat transport needs from the connected session. */
export interface ChatContext {
  readonly info: ServerInfo;
  readonly facts: ModelFacts;
  readonly config: AssistantConfig;
  readonly fetch: FetchLike;
  readonly apiKey?: string;
  readonly logger: Logger;
}

/** Stream events, the same whatever wire format the server speaks. */
export type ChatEvent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'reasoning' }
  | { readonly type: 'finish'; readonly reason: string }
  /** Token counts as the server reports them (an OpenAI usage chunk, Ollama's final prompt_eval_count/eval_count). */
  | { readonly type: 'usage'; readonly usage: ChatUsage }
  | { readonly type: 'model'; readonly model: string };

export interface ChatTransport {
  /**
   * One attempt at a chat, as events. `promptBudget` is the upper bound of the prompt estimate (servers whose
   * context is chosen per request size it from this). Throws AssistantError or errors `toAssistantError` maps.
   */
  events(request: ChatRequest, promptBudget: number, signal: AbortSignal): AsyncIterable<ChatEvent>;
  /**
   * The server refused an attempt before any output. True when the transport changed what it sends so that the
   * same request may succeed when repeated at once (not counted as a retry); false leaves the error to the caller.
   */
  adaptToRejection(error: AssistantError): boolean;
}
