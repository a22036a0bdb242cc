import { AssistantError } from '../../errors';
import { classifyFacts, errorFactsFromBody } from '../classify';
import { asArray, asRecord, httpGet, type Http, type HttpResult } from '../http';
import type { DetectedServer } from './dialect';

/** The classified error for a failed listing (401, 404…), or Unreachable when nothing answered. */
export function listingError(result: HttpResult | undefined, url: string): AssistantError {
  if (result === undefined) return new AssistantError('EndpointUnreachable', `No answer from ${url}`, { data: { probed: url } });
  return classifyFacts(errorFactsFromBody(result.status, result.json, result.text), { endpoint: url });
}

/** The `data` entries of `/v1/models`; throws the classified error when the listing fails. */
export async function openAiModelList(server: DetectedServer, http: Http): Promise<Record<string, unknown>[]> {
  const url = `${server.root}/v1/models`;
  const result = await httpGet(http, url);
  const body = asRecord(result?.json);
  if (result?.status !== 200 || !body || 'error' in body) throw listingError(result, url);
  return asArray(body.data)
    .map(asRecord)
    .filter((m): m is Record<string, unknown> => m !== undefined);
}
