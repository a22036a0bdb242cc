/** The model server as the assistant sees it: a connected session for a settings snapshot. */
import type { AssistantConfig } from '../config';
import type { Embedder } from '../library/types';
import type { FetchLike } from '../llm/http';
import type { LlmSession } from '../llm/types';

/**
 * Gives a connected session (server detected, model picked, usable context read). A host may cache it and
 * show its state (the extension's status bar); the core's default connects through an LlmTransport.
 */
export interface LlmProvider {
  session(config: AssistantConfig, signal: AbortSignal): Promise<LlmSession>;
  /**
   * The server's embedding model for the library (undefined: vectors off or no embedding model). Optional: the
   * assistant connects one through its transport when the host's provider has none.
   */
  embedder?(config: AssistantConfig, signal: AbortSignal): Promise<Embedder | undefined>;
}

/** How requests reach the server: fetch (default the global one) and the optional API key from the host's secrets. */
export interface LlmTransport {
  readonly fetch?: FetchLike;
  apiKey?(): Promise<string | undefined>;
}
