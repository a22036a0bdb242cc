/** What every flavour handler receives for one HTTP request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerState } from './engine';
import type { RecordedRequest } from './types';

export interface HandlerArgs {
  state: ServerState;
  req: IncomingMessage;
  res: ServerResponse;
  rec: RecordedRequest;
  url: URL;
  /** Parsed JSON body (undefined when empty or not JSON). */
  body: unknown;
  /** Set when a non-empty body was not valid JSON. */
  bodyError?: string;
  /** Aborted when the client disconnects before the response has finished. */
  signal: AbortSignal;
}
