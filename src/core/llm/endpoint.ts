import { AssistantError } from '../errors';

/** Default local ports probed by `auto`: Ollama, LM Studio, vLLM, llama.cpp. */
export const AUTO_PORTS: readonly number[] = [11434, 1234, 8000, 8080];

export interface ParsedEndpoint {
  /** Root URLs to try in order (native endpoints live here, not under `/v1`). */
  readonly roots: readonly string[];
  readonly host: string;
  readonly loopback: boolean;
}

/**
 * Loopback = 127.0.0.0/8, ::1, localhost. Anything else is "remote": notes would leave the machine.
 * `host` is the URL hostname (IPv6 in brackets as URL gives it).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  // URL normalises IPv4-mapped IPv6 to hex form, e.g. ::ffff:7f00:1.
  if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)) return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m[1] === '127' && m.slice(2).every((p) => Number(p) <= 255);
}

/**
 * Normalises a user endpoint (`http://host:port`, `…/v1`, `…/v1/`, with or without scheme) to root URLs.
 * `localhost` becomes 127.0.0.1 then [::1]: Node's resolver may pick ::1 first while servers bind 127.0.0.1 only.
 * Throws RemoteEndpointRefused for a non-loopback host unless `allowRemote` (a user-level setting).
 */
export function parseEndpoint(endpoint: string, allowRemote: boolean): ParsedEndpoint {
  let text = endpoint.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new AssistantError('EndpointUnreachable', `Invalid endpoint URL: ${endpoint}`, {
      cause,
      data: { endpoint, detail: 'not a valid URL' },
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AssistantError('EndpointUnreachable', `Unsupported endpoint scheme: ${url.protocol}`, {
      data: { endpoint, detail: 'only http and https are supported' },
    });
  }
  const host = url.hostname;
  const loopback = isLoopbackHost(host);
  if (!loopback && !allowRemote) {
    throw new AssistantError('RemoteEndpointRefused', `Refusing non-loopback endpoint ${url.origin}`, { data: { endpoint: url.origin } });
  }
  // Drop a trailing `/v1` (and slashes): the OpenAI base is always root + `/v1`.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/i, '');
  const rootFor = (h: string): string => `${url.protocol}//${h}${url.port ? `:${url.port}` : ''}${path}`;
  const roots = host.toLowerCase() === 'localhost' ? [rootFor('127.0.0.1'), rootFor('[::1]')] : [rootFor(host)];
  return { roots, host, loopback };
}

/** The roots `auto` probes: 127.0.0.1 on each default port. */
export function autoRoots(ports: readonly number[] = AUTO_PORTS): string[] {
  return ports.map((p) => `http://127.0.0.1:${p}`);
}

export function openAiBase(root: string): string {
  return `${root}/v1`;
}
