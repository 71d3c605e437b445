/**
 * Apollo's cache of parsed and validated queries, keyed by the query text's hash. Apollo's own sizes
 * an entry by the parsed document's JSON, which leaves out the query text the document's locations
 * keep: a query padded with whitespace or a comment (15 MB of it, under the body limit) counted as a
 * few hundred bytes, so each new one stayed, and about 280 of them ended the process out of heap.
 * Here an entry counts both, and the cache stays within its bytes.
 */
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';

/** Apollo's default budget: 30 MiB. */
export const DOCUMENT_STORE_BYTES = 30 * 2 ** 20;

/** Bytes an entry holds: the document's JSON and its query text (UTF-16 in memory). */
export function documentBytes(document: DocumentNode): number {
  return InMemoryLRUCache.sizeCalculation(document) + 2 * (document.loc?.source.body.length ?? 0);
}

export function documentStore(maxBytes = DOCUMENT_STORE_BYTES): InMemoryLRUCache<DocumentNode> {
  return new InMemoryLRUCache<DocumentNode>({ maxSize: maxBytes, sizeCalculation: documentBytes });
}
