/**
 * The Python server client (examples/python/ask_server.py, standard library only) against a real
 * server on the shipped models: each photo it sends as a file must get exactly the answer the same photo
 * gets as base64 JSON, printed as JSON or as lines; a file that is not a photo is named with the
 * server's code while the others are answered, and the exit status says one failed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@facekit/serve';
import { faceScene, sampleFace } from '../support/face-scene.js';
import { PYTHON_EXAMPLE } from '../support/python.js';
import { SHIPPED_MODELS } from '../support/paths.js';
import { encodePng } from '../../packages/web-demo/png.js';
import { tempFolder } from '../support/temp-folder.js';

const python = ['python3', '/usr/bin/python3'].find((exe) => {
  try {
    execFileSync(exe, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** The client's query, asked of the server with the photo as base64 instead. */
const BASE64_QUERY = `mutation($image: String) {
  classifyFaces(image: $image) {
    width height
    faces {
      score
      crop { x y size angle }
      classification { age { label confidence } ethnicity { label confidence } gender { label confidence } }
    }
  }
}`;

let server: RunningServer;
let dir: string;
let photos: string[];

beforeAll(async () => {
  if (!python) return;
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    models: SHIPPED_MODELS,
    executionProviders: ['cpu'],
    logLevel: 'warn',
  });
  await server.ready;
  dir = await tempFolder('facekit-ask-server-');
  const scene = faceScene(
    [
      { face: await sampleFace('white-female-55.png'), square: { x: 30, y: 40, size: 170 } },
      { face: await sampleFace('black-male-16.png'), square: { x: 330, y: 150, size: 190 } },
    ],
    560,
    400,
    3,
  );
  // A name with a quote and a space, which the multipart header must carry whole.
  photos = [join(dir, 'two "faces".png'), join(dir, 'notes.png')];
  await writeFile(photos[0]!, encodePng(scene.data, scene.width, scene.height, 4));
  await writeFile(photos[1]!, 'not a photo, whatever its name says');
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/** Runs the client; its exit status, standard output and error. */
async function ask(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const script = join(PYTHON_EXAMPLE, 'ask_server.py');
  return promisify(execFile)(python!, [script, '--url', server.url, ...args]).then(
    ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error, status: error.code }),
  );
}

describe.skipIf(!python)('examples/python/ask_server.py', () => {
  it('gets for each photo file the answer the server gives the same photo in base64', async () => {
    const { status, stdout, stderr } = await ask(...photos, '--json');
    expect(status).toBe(1);
    const [answered, refused] = JSON.parse(stdout) as [Record<string, unknown>, Record<string, unknown>];
    const { file, ...answer } = answered;
    expect(file).toBe(photos[0]);
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: BASE64_QUERY,
        variables: { image: (await readFile(photos[0]!)).toString('base64') },
      }),
    });
    const expected = ((await res.json()) as { data: { classifyFaces: unknown } }).data.classifyFaces;
    expect(answer).toEqual(expected);
    expect((answer as { faces: unknown[] }).faces).toHaveLength(2);
    expect(refused).toEqual({
      file: photos[1],
      error: 'INVALID_IMAGE: photo: is not a PNG, JPEG or WebP image',
    });
    expect(stderr).toBe(`${photos[1]}: INVALID_IMAGE: photo: is not a PNG, JPEG or WebP image\n`);
  });

  it('prints each face as classify.py does, and exits 0 when every photo was answered', async () => {
    const { status, stdout } = await ask(photos[0]!);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${photos[0]}: 560×400`);
    expect(lines[1]).toMatch(/^ {2}face 1 of 2: square \d+ \d+ \d+ \(x y size\), score 0\.\d{4}$/);
    expect(lines.slice(2, 5).map((l) => l.trim().split(' ')[0])).toEqual(['age', 'ethnicity', 'gender']);
    expect(lines[5]).toMatch(/^ {2}face 2 of 2: /);
  });

  it('says when no server answers at the URL', async () => {
    const { status, stderr } = await ask(photos[0]!, '--url', 'http://127.0.0.1:9/graphql');
    expect(status).toBe(1);
    expect(stderr).toContain('cannot reach http://127.0.0.1:9/graphql');
    expect(stderr).toContain('is `pnpm serve` running?');
  });
});
