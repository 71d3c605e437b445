import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  agreementTolerance,
  classifyOnServer,
  classifyRequest,
  compareAnswers,
  cropInput,
  maxAbsDiff,
  pixelDifference,
  type ServerAnswer,
} from './server-compare.js';

const labels = {
  age: ['1-10', '11-20', '21-40', '41-60', '61-90', '91+'],
  ethnicity: ['White', 'Black', 'Asian', 'Indian', 'Others'],
  gender: ['male', 'female'],
};
const row = (names: readonly string[], p: readonly number[]) =>
  names.map((label, i) => ({ label, probability: p[i]! }));

describe('comparing the browser with the server', () => {
  const server: ServerAnswer = {
    provider: 'cpu',
    source: 'image',
    inputPixels: [1, 2, 3],
    age: { label: '21-40', index: 2, probabilities: row(labels.age, [0, 0.1, 0.6, 0.2, 0.1, 0]) },
    gender: { label: 'female', index: 1, probabilities: row(labels.gender, [0.3, 0.7]) },
  };

  it('gives each task both labels and the largest probability difference', () => {
    const browser = new Map([
      ['age', Float32Array.from([0, 0.1, 0.6, 0.2, 0.1, 0])],
      ['gender', Float32Array.from([0.55, 0.45])],
      ['ethnicity', Float32Array.from([1, 0, 0, 0, 0])],
    ] as const);
    const rows = compareAnswers(browser, (t) => labels[t], server);
    expect(rows.map((r) => r.task)).toEqual(['age', 'gender']);
    expect(rows[0]).toMatchObject({ browserLabel: '21-40', serverLabel: '21-40', sameLabel: true });
    expect(rows[0]!.maxDiff).toBeLessThan(1e-7);
    expect(rows[1]).toMatchObject({ browserLabel: 'male', serverLabel: 'female', sameLabel: false });
    expect(rows[1]!.maxDiff).toBeCloseTo(0.25, 6);
  });

  it('measures differences between rows and between inputs', () => {
    expect(maxAbsDiff([0.1, 0.9], [0.1, 0.9])).toBe(0);
    expect(() => maxAbsDiff([1], [0.5, 0.5])).toThrow(RangeError);
    expect(pixelDifference([1, 2, 3], [1, 5, 3])).toEqual({ differing: 1, maxDelta: 3 });
    expect(pixelDifference([1, 2], [1, 2, 3])).toEqual({ differing: 3, maxDelta: 255 });
  });

  it('holds float32 CPU runtimes to 1e-5 and GPU runs to 1e-4', () => {
    expect(agreementTolerance('wasm', 'cpu')).toBe(1e-5);
    expect(agreementTolerance('webgpu', 'cpu')).toBe(1e-4);
    expect(agreementTolerance('wasm', 'cuda')).toBe(1e-4);
  });
});

describe('classifyOnServer', () => {
  it('says that a server which takes the request and never answers did not answer in time', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`;
    try {
      await expect(classifyOnServer(url, { pixels: [1] }, 200)).rejects.toThrow(
        `${url} did not answer within 0.2 s`,
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('says what a reply that is not a classification is instead, naming the field', async () => {
    const replies: [number, string][] = [
      [502, '<html><body>Bad gateway</body></html>'],
      [200, JSON.stringify({ data: { classify: { provider: 'cpu', source: 'image', age: null } } })],
    ];
    const server = http.createServer((_, res) => {
      const [status, body] = replies.shift()!;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    try {
      await expect(classifyOnServer(url, { pixels: [1] })).rejects.toThrow(
        'server answered HTTP 502 with a body that is not JSON: "<html><body>Bad gateway</body></html>"',
      );
      await expect(classifyOnServer(url, { pixels: [1] })).rejects.toThrow(
        "the server's answer is not a classification: classify.inputPixels must be 2304 grey levels, got nothing",
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('says a URL without http(s):// is not one, before fetch reads "localhost:" as its scheme', async () => {
    await expect(classifyOnServer('localhost:4000/graphql', { pixels: [1] })).rejects.toThrow(
      'localhost:4000/graphql is not an http(s) URL; write it as http://localhost:4000/graphql',
    );
  });
});

describe('the request Compare sends', () => {
  it('sends a photo as the file it is, in a GraphQL multipart request, with its square', async () => {
    const photo = new Blob([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2])], { type: 'image/png' });
    const { headers, body } = classifyRequest({ photo, crop: { x: 1, y: 2, size: 30 } });
    expect(headers).toEqual({ 'apollo-require-preflight': 'true' });
    const form = await new Request('http://localhost/', { method: 'POST', body }).formData();
    expect([...form.keys()]).toEqual(['operations', 'map', '0']);
    const operations = JSON.parse(form.get('operations') as string) as { variables: unknown };
    expect(operations.variables).toEqual({ input: { crop: { x: 1, y: 2, size: 30 }, photo: null } });
    expect(JSON.parse(form.get('map') as string)).toEqual({ 0: ['variables.input.photo'] });
    expect([...new Uint8Array(await (form.get('0') as Blob).arrayBuffer())]).toEqual([
      0x89, 0x50, 0x4e, 0x47, 1, 2,
    ]);
  });

  it('sends grey levels as JSON', () => {
    const { headers, body } = classifyRequest({ pixels: [1, 2] });
    expect(headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(body as string)).toMatchObject({ variables: { input: { pixels: [1, 2] } } });
  });
});

describe("the square sent as classify's crop", () => {
  it('carries the angle only for a turned square', () => {
    expect(cropInput({ x: 1, y: 2, size: 30, angle: -19.5 })).toEqual({ x: 1, y: 2, size: 30, angle: -19.5 });
    expect(cropInput({ x: 1, y: 2, size: 30, angle: 0 })).toEqual({ x: 1, y: 2, size: 30 });
    expect(Object.keys(cropInput({ x: 1, y: 2, size: 30, angle: 0 }))).toEqual(['x', 'y', 'size']);
  });
});
