/**
 * Helpers for the end-to-end tests: start a real server on a free port over fixture models, post
 * GraphQL to it over HTTP, and make test photos with sharp. Logs are kept in memory so a test can
 * assert on them.
 */
import http from 'node:http';
import sharp from 'sharp';
import { PIXEL_COUNT } from '@facekit/core';
import { memoryLogger, type LogFields } from '../src/logger.js';
import type { ServeOptions } from '../src/options.js';
import { startServer, type RunningServer, type StartHooks } from '../src/server.js';
import { writeFixtureModels } from './fixture-models.js';

export interface TestServer extends RunningServer {
  readonly logs: LogFields[];
}

export async function startTestServer(
  options: Partial<ServeOptions> = {},
  hooks: StartHooks = {},
): Promise<TestServer> {
  const models = options.models ?? (await writeFixtureModels()).dir;
  const { logger, lines } = memoryLogger('debug');
  const server = await startServer({ host: '127.0.0.1', port: 0, models, ...options }, { logger, ...hooks });
  await server.ready;
  return Object.assign(server, { logs: lines });
}

export interface GraphQLResponse {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

export async function gql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse['body'] };
}

/**
 * POSTs `body` (JSON) to `url` and returns the request without reading the answer: for a client that
 * hangs up (`request.destroy()`) while the server still works on it. Its errors are swallowed.
 */
export function postAndLeave(url: string, body: string): http.ClientRequest {
  const { hostname, port, pathname } = new URL(url);
  const request = http.request({
    host: hostname,
    port,
    path: pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  request.on('error', () => {}); // hung up on by the test
  request.end(body);
  return request;
}

/** A deterministic face: a gradient mixed with a per-seed pattern. */
export function testPixels(seed: number): number[] {
  return Array.from(
    { length: PIXEL_COUNT },
    (_, i) => (i * (seed + 1) + seed * 37 + ((i >> 5) ^ seed) * 3) % 256,
  );
}

/** A width×height photo (RGB noise-free pattern) encoded as `format`, base64. */
export async function testPhoto(
  format: 'png' | 'jpeg' | 'webp' | 'gif',
  width = 200,
  height = 200,
): Promise<string> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = (x * 255) / width;
      data[p + 1] = (y * 255) / height;
      data[p + 2] = ((x + y) * 3) % 256;
    }
  }
  const image = sharp(data, { raw: { width, height, channels: 3 } });
  const encoded =
    format === 'png'
      ? image.png()
      : format === 'jpeg'
        ? image.jpeg({ quality: 90 })
        : format === 'webp'
          ? image.webp()
          : image.gif();
  return (await encoded.toBuffer()).toString('base64');
}

/** A width×height JPEG of smooth gradients and detail, as a camera's photo compresses (a large one). */
export async function largeJpeg(width: number, height: number): Promise<Buffer> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      rgb[p] = (x * 255) / width;
      rgb[p + 1] = (y * 255) / height;
      rgb[p + 2] = 128 + 100 * Math.sin(x / 7) * Math.cos(y / 11);
    }
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export const CLASSIFY = `mutation Classify($input: ClassifyInput!, $tasks: [Task!]) {
  classify(input: $input, tasks: $tasks) {
    provider source
    age { task label index confidence probabilities { label probability } modelVersion modelSha256 }
    ethnicity { task label index confidence probabilities { label probability } modelVersion modelSha256 }
    gender { task label index confidence probabilities { label probability } modelVersion modelSha256 }
  }
}`;

export const CLASSIFY_BATCH = `mutation ClassifyBatch($inputs: [ClassifyInput!]!, $tasks: [Task!]) {
  classifyBatch(inputs: $inputs, tasks: $tasks) {
    provider source
    age { label index confidence probabilities { label probability } }
    ethnicity { label index confidence probabilities { label probability } }
    gender { label index confidence probabilities { label probability } }
  }
}`;

/**
 * A query of `levels` fragments, each spreading the next one twice, the last asking `health { ready }`:
 * 1 KB of text whose naive walk takes 2^levels steps.
 */
export function doublingFragments(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) =>
    i < levels - 1
      ? `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`
      : `fragment F${i} on Query { health { ready } }`,
  );
  return `query { ...F0 } ${fragments.join(' ')}`;
}
