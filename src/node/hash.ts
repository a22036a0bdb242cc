/** Content hashes on Node: node:crypto hashes the bytes where they are (Web Crypto copies them to a worker first). */
import { createHash } from 'node:crypto';
import type { ContentHasher, TextHasher } from '../core';

/** The core's `contentHash` (the first 256 bits of SHA-512, hex), computed by node:crypto: the same keys. */
export const nodeContentHash: ContentHasher = (bytes) => Promise.resolve(createHash('sha512').update(bytes).digest('hex').slice(0, 64));

/** The core's `sha256Hex` (SHA-256 of the text's UTF-8 bytes, hex) by node:crypto: the same keys, without a copy. */
export const nodeTextHash: TextHasher = (text) => Promise.resolve(createHash('sha256').update(text, 'utf8').digest('hex'));
