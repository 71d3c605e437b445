/**
 * sha256 of bytes as lowercase hex, through Web Crypto so it runs in Node 20 and in the browser alike:
 * both sides check a model file against its manifest entry before trusting it.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
