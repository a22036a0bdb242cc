/** Content hashes on Node: node:crypto hashes the bytes where they are (Web Crypto copies them to a worker first). */
import { createHash } from 'node:crypto';
import type { ContentHasher } from '../core';

/** The core's `contentHash` (the first 256 bits of SHA-512, hex), computed by node:crypto: the same keys. */
export const nodeContentHash: ContentHasher = (bytes) => Promise.resolve(createHash('sha512').update(bytes).digest('hex').slice(0, 64));
