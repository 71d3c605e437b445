/**
 * The GraphQL API end to end: a real server on a free port, real onnxruntime sessions over fixture
 * models, requests over HTTP. Covers every operation and every bad-input case of the serve issue, and
 * checks that the server still answers correctly afterwards.
 */
import { getIntrospectionQuery } from 'graphql';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageToPixels } from '@facekit/core';
import {
  CLASSIFY,
  CLASSIFY_BATCH,
  doublingFragments,
  gql,
  startTestServer,
  testPhoto,
  testPixels,
  type TestServer,
} from '../test/harness.js';

let server: TestServer;
const limits = {
  maxBatchItems: 8,
  maxBodyBytes: 300_000,
  maxImageBytes: 150_000,
  maxImagePixels: 400 * 400,
  maxQueryDepth: 8,
};

/** The answer to testPixels(1) before any test sent bad input: the server must still give it after. */
let before: Awaited<ReturnType<typeof gql>>;
beforeAll(async () => {
  server = await startTestServer(limits);
  before = await gql(server.url, CLASSIFY, { input: { pixels: testPixels(1) } });
});
afterAll(() => server?.stop());

type Prediction = {
  label: string;
  index: number;
  confidence: number;
  probabilities: { label: string; probability: number }[];
  modelSha256?: string;
};
type Answer = Record<'age' | 'ethnicity' | 'gender', Prediction | null> & {
  provider: string;
  source: string;
};

async function classify(input: Record<string, unknown>, tasks?: string[]) {
  return gql(server.url, CLASSIFY, { input, ...(tasks ? { tasks } : {}) });
}

async function expectError(input: Record<string, unknown>, code: string, message: RegExp) {
  const res = await classify(input);
  expect(res.body.data).toBeNull();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors![0]!.extensions!.code).toBe(code);
  expect(res.body.errors![0]!.message).toMatch(message);
}

describe('classify', () => {
  it('answers every task from pixels, with the model version, sha256 and provider', async () => {
    const res = await classify({ pixels: testPixels(1) });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data!.classify as Answer;
    expect(answer.provider).toBe(server.state.engine!.provider);
    expect(answer.source).toBe('pixels');
    for (const task of ['age', 'ethnicity', 'gender'] as const) {
      const p = answer[task]!;
      const model = server.state.models.models.find((m) => m.task === task)!;
      expect(p.probabilities.map((x) => x.label)).toEqual(model.entry.labels);
      expect(p.probabilities.reduce((s, x) => s + x.probability, 0)).toBeCloseTo(1, 5);
      expect(p.label).toBe(model.entry.labels[p.index]);
      expect(p.confidence).toBe(Math.max(...p.probabilities.map((x) => x.probability)));
      expect(p.modelSha256).toBe(model.entry.sha256);
    }
  });

  it('answers only the tasks asked for', async () => {
    const answer = (await classify({ pixels: testPixels(2) }, ['gender'])).body.data!.classify as Answer;
    expect(answer.gender).not.toBeNull();
    expect(answer.age).toBeNull();
    expect(answer.ethnicity).toBeNull();
  });

  it('decodes a photo and feeds the models exactly what core computes from its RGBA', async () => {
    const photo = await testPhoto('png', 160, 120);
    const { data, info } = await sharp(Buffer.from(photo, 'base64'))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const expected = Array.from(imageToPixels({ width: info.width, height: info.height, data }));
    const res = await gql(
      server.url,
      'mutation($i: ClassifyInput!) { classify(input: $i) { source inputPixels age { probabilities { probability } } } }',
      {
        i: { image: `data:image/png;base64,${photo}` },
      },
    );
    const fromImage = res.body.data!.classify as { source: string; inputPixels: number[]; age: unknown };
    expect(fromImage.source).toBe('image');
    expect(fromImage.inputPixels).toEqual(expected);
    const fromPixels = await gql(
      server.url,
      'mutation($i: ClassifyInput!) { classify(input: $i) { age { probabilities { probability } } } }',
      {
        i: { pixels: expected },
      },
    );
    expect((fromPixels.body.data!.classify as { age: unknown }).age).toEqual(fromImage.age);
    for (const format of ['jpeg', 'webp'] as const) {
      const r = await classify({ image: await testPhoto(format) });
      expect((r.body.data!.classify as Answer).source).toBe('image');
    }
  });

  it('reduces the square `crop` names when the face is not in the middle of the photo', async () => {
    // A 48×48 bright face in the top-right corner of a dark 240×120 photo, outside its centre square.
    const side = { width: 240, height: 120 };
    const raw = Buffer.alloc(side.width * side.height * 3, 20);
    for (let y = 0; y < 48; y++) raw.fill(230, (y * side.width + 192) * 3, (y * side.width + 240) * 3);
    const photo = (
      await sharp(raw, { raw: { ...side, channels: 3 } })
        .png()
        .toBuffer()
    ).toString('base64');
    const pixelsOf = async (input: Record<string, unknown>) => {
      const res = await gql(
        server.url,
        'mutation($i: ClassifyInput!) { classify(input: $i) { inputPixels } }',
        {
          i: input,
        },
      );
      return (res.body.data!.classify as { inputPixels: number[] }).inputPixels;
    };
    expect(new Set(await pixelsOf({ image: photo, crop: { x: 192, y: 0, size: 48 } }))).toEqual(
      new Set([230]),
    );
    expect(new Set(await pixelsOf({ image: photo }))).toEqual(new Set([20]));
  });
});

describe('classifyBatch', () => {
  it('answers good items and gives each bad item its own error at its index', async () => {
    const inputs = [
      { pixels: testPixels(3) },
      { pixels: testPixels(3).slice(1) },
      { image: await testPhoto('jpeg') },
      { image: 'not*base64' },
      { pixels: testPixels(4) },
      {},
      { image: await testPhoto('jpeg'), crop: { x: 0, y: 0, size: 10 } },
      { image: await testPhoto('jpeg'), crop: { x: 0, y: 0, size: 5000 } },
    ];
    const res = await gql(server.url, CLASSIFY_BATCH, { inputs });
    expect(res.status).toBe(200);
    const items = res.body.data!.classifyBatch as (Answer | null)[];
    expect(items.map((x) => x === null)).toEqual([false, true, false, true, false, true, false, true]);
    const errors = res.body.errors!.map((e) => [e.path, e.extensions!.code, e.message.split(':')[0]]);
    expect(errors).toEqual([
      [['classifyBatch', 1], 'INVALID_PIXELS', 'inputs[1].pixels'],
      [['classifyBatch', 3], 'INVALID_BASE64', 'inputs[3].image'],
      [['classifyBatch', 5], 'INVALID_INPUT', 'inputs[5]'],
      [['classifyBatch', 7], 'INVALID_CROP', 'inputs[7].crop'],
    ]);
    const single = (
      await gql(
        server.url,
        CLASSIFY_BATCH.replace('classifyBatch(inputs: $inputs', 'classifyBatch(inputs: $inputs'),
        { inputs: [inputs[4]] },
      )
    ).body.data!.classifyBatch as Answer[];
    expect(items[4]).toEqual(single[0]);
  });

  it('refuses more items than the limit', async () => {
    const res = await gql(server.url, CLASSIFY_BATCH, {
      inputs: Array.from({ length: 9 }, (_, i) => ({ pixels: testPixels(i) })),
    });
    expect(res.body.errors![0]!.extensions!.code).toBe('BATCH_TOO_LARGE');
    expect(res.body.errors![0]!.message).toBe('inputs: holds 9 items; the limit is 8');
    // Items given as the variable's default in the query are counted too, before anything runs.
    const items = Array.from({ length: 9 }, () => '{pixels: [1]}').join(', ');
    const byDefault = await gql(
      server.url,
      `mutation($inputs: [ClassifyInput!]! = [${items}]) { classifyBatch(inputs: $inputs) { provider } }`,
    );
    expect(byDefault.status).toBe(400);
    expect(byDefault.body.errors![0]!.extensions!.code).toBe('BATCH_TOO_LARGE');
  });
});

describe('browsers on another origin (the web demo)', () => {
  it('get CORS answers to the preflight and the request', async () => {
    const origin = 'http://localhost:5173';
    const preflight = await fetch(server.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ health { ready } }' }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('models and health', () => {
  it('describe what is loaded and the provider in use', async () => {
    const res = await gql(
      server.url,
      '{ models { task labels ageGrouping ageGroups { label min max } version sha256 metrics { name value } } health { ready status provider providers { name outcome } tasks limits { maxBatchItems maxQueryDepth maxQueryCost } } }',
    );
    const { models, health } = res.body.data as {
      models: { task: string; ageGroups: unknown[] | null; metrics: unknown[] }[];
      health: Record<string, unknown>;
    };
    expect(models.map((m) => m.task)).toEqual(['age', 'ethnicity', 'gender']);
    expect(models[0]!.ageGroups).toHaveLength(6);
    expect(models[1]!.ageGroups).toBeNull();
    expect(models[0]!.metrics).toEqual([{ name: 'accuracy', value: 0.5 }]);
    expect(health).toMatchObject({
      ready: true,
      status: 'ready',
      provider: server.state.engine!.provider,
      tasks: ['age', 'ethnicity', 'gender'],
      limits: { maxBatchItems: 8, maxQueryDepth: 8, maxQueryCost: 12_000 },
    });
    expect((health.providers as { outcome: string }[]).filter((p) => p.outcome === 'chosen')).toHaveLength(1);
  });

  it('answers an unknown path with 404, quoting no more than 100 characters of it', async () => {
    const res = await fetch(server.url.replace('/graphql', `/${'x'.repeat(10_000)}`));
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect([res.status, body.errors[0]!.extensions.code]).toEqual([404, 'NOT_FOUND']);
    expect(body.errors[0]!.message).toBe(`no route /${'x'.repeat(99)}…; GraphQL is at /graphql`);
  });

  it('answers the probes and /metrics to GET, and refuses other methods with 405', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const url = server.url.replace('/graphql', path);
      expect((await fetch(url)).status).toBe(200);
      const put = await fetch(url, { method: 'PUT', body: 'x' });
      expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    }
  });
});

describe('bad input and limits', () => {
  it('wrong pixel count or values', async () => {
    await expectError(
      { pixels: [1, 2, 3] },
      'INVALID_PIXELS',
      /^input\.pixels: expected 2304 grey levels \(48×48\), got 3$/,
    );
    const bad = testPixels(5);
    bad[17] = 256;
    await expectError({ pixels: bad }, 'INVALID_PIXELS', /^input\.pixels: value at index 17 is 256/);
    bad[17] = 1.5;
    await expectError({ pixels: bad }, 'INVALID_PIXELS', /^input\.pixels: value at index 17 is 1\.5/);
    const notList = await classify({ pixels: 'abc' });
    expect(notList.status).toBe(400);
    expect(notList.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(notList.body.errors![0]!.message).toBe(
      'Variable "$input" got invalid value "abc" at "input.pixels"; GreyLevels must be an array of 2304 integers 0–255',
    );
  });

  it('pixels written inline in the query are checked the same way', async () => {
    const literal = [...testPixels(6).slice(0, 2303), 'x'];
    const inline = `mutation { classify(input: { pixels: ${JSON.stringify(literal)} }) { gender { label } } }`;
    const res = await gql(server.url, inline);
    expect(res.body.errors![0]).toMatchObject({
      message: 'input.pixels: value at index 2303 is "x"; grey levels are integers 0–255',
      extensions: { code: 'INVALID_PIXELS' },
    });
    const good = await gql(server.url, inline.replace('"x"', '7'));
    expect(good.body.errors).toBeUndefined();
  });

  it('bad base64, a file that is not an image, images too large in bytes and in pixels', async () => {
    await expectError({ image: '%%%' }, 'INVALID_BASE64', /^input\.image: is not valid base64/);
    await expectError(
      { image: Buffer.from('GIF? no, text').toString('base64') },
      'INVALID_IMAGE',
      /^input\.image: is not a PNG, JPEG or WebP image/,
    );
    await expectError(
      { image: 'A'.repeat(210_000) },
      'IMAGE_TOO_LARGE',
      /^input\.image: is a 157500-byte file; the limit is 150000 bytes$/,
    );
    await expectError(
      { image: await testPhoto('jpeg', 500, 400) },
      'IMAGE_TOO_LARGE',
      /^input\.image: is 500×400 pixels; the limit is 160000 pixels/,
    );
  });

  it('both or neither of pixels and image; a crop without an image or outside it; a task that is not loaded', async () => {
    await expectError(
      { pixels: testPixels(1), image: 'aGVsbG8=' },
      'INVALID_INPUT',
      /^input: give exactly one of pixels, image or photo \(got pixels and image\)$/,
    );
    await expectError({}, 'INVALID_INPUT', /got none\)$/);
    await expectError(
      { pixels: testPixels(1), crop: { x: 0, y: 0, size: 10 } },
      'INVALID_INPUT',
      /^input\.crop: applies to image and photo only, not to pixels$/,
    );
    await expectError(
      { image: await testPhoto('png', 120, 90), crop: { x: 50, y: 0, size: 90 } },
      'INVALID_CROP',
      /^input\.crop: the square at \(50, 0\) of side 90 reaches \(140, 90\), outside the 120×90 image$/,
    );
    const res = await classify({ pixels: testPixels(1) }, ['smile']);
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toMatch(/\$tasks/);
  });

  it('an oversized body and a body that is not JSON', async () => {
    const big = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(400_000),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      errors: [
        {
          message: 'body: request body is 400000 bytes; the limit is 300000 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE', field: 'body' },
        },
      ],
    });
    const streamed = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob(['y'.repeat(2_000_000)]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe(
      'body: request body is over 300000 bytes; the limit is 300000 bytes',
    );
    const bad = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('INVALID_JSON');
    // A UTF-8 byte-order mark before the JSON (some Windows tools write one) is passed over.
    const marked = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '\uFEFF{"query": "{ health { ready } }"}',
    });
    expect(marked.status).toBe(200);
    expect(await marked.json()).toEqual({ data: { health: { ready: true } } });
    // A body declared in another charset is said to be, rather than misread as UTF-8.
    const utf16 = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: Buffer.from('{"query": "{ health { ready } }"}', 'utf16le'),
    });
    expect(utf16.status).toBe(400);
    expect(((await utf16.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe(
      'body: is declared utf-16; send it as UTF-8 JSON',
    );
  });

  it('a client that hangs up halfway through its body is logged as such, not as a server fault', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(server.url);
    const before = server.logs.length;
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const logged = () => server.logs.slice(before).find((l) => l.msg === 'client closed the connection');
    for (let i = 0; i < 50 && !logged(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logged()).toMatchObject({ level: 'warn', path: '/graphql' });
    expect(server.logs.slice(before).some((l) => l.level === 'error')).toBe(false);
  });

  it('answers the introspection query of GraphQL tools (the landing page, GraphiQL, codegen)', async () => {
    const res = await gql(server.url, getIntrospectionQuery());
    expect(res.body.errors).toBeUndefined();
    const { types } = (res.body.data as { __schema: { types: { name: string }[] } }).__schema;
    expect(types.map((t) => t.name)).toEqual(expect.arrayContaining(['ClassifyInput', 'CropInput']));
  });

  it('a query too deep and a query too costly', async () => {
    // The schema has no recursive type, and graphql-js refuses introspection three lists deep itself:
    // 9 is about the deepest a query can nest here, over this server's --max-depth of 8.
    const deep = await gql(
      server.url,
      '{ __schema { types { fields { args { type { fields { args { type { name } } } } } } } } }',
    );
    expect(deep.status).toBe(400);
    expect(deep.body.errors![0]).toMatchObject({
      message: 'query: nests 9 fields deep; the limit is 8',
      extensions: { code: 'QUERY_TOO_DEEP' },
    });
    const aliases = Array.from({ length: 1200 }, (_, i) => `a${i}: classify(input: $i) { provider }`).join(
      ' ',
    );
    const costly = await gql(server.url, `mutation($i: ClassifyInput!) { ${aliases} }`, {
      i: { pixels: testPixels(1) },
    });
    expect(costly.status).toBe(400);
    expect(costly.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COSTLY');
  });

  it('a query text of over 20,000 tokens, and fragments that spread each other twice, 30 deep', async () => {
    const zeros = new Array(30_000).fill(0).join(',');
    const long = await gql(server.url, `mutation { classify(input: { pixels: [${zeros}] }) { provider } }`);
    expect(long.status).toBe(400);
    expect(long.body.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(long.body.errors![0]!.message).toMatch(/contains more th\w+ 20000 tokens/);
    const levels = 30;
    const nested = await gql(server.url, doublingFragments(levels));
    expect(nested.status).toBe(400);
    expect(nested.body.errors![0]).toMatchObject({
      message: `query: estimated cost ${2 ** levels} exceeds the limit of 12000`,
      extensions: { code: 'QUERY_TOO_COSTLY' },
    });
  });

  it("is not made to report a server fault, or to echo megabytes, by the client's mistakes", async () => {
    const post = async (body: string) => {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      return { status: res.status, length: text.length, ...(JSON.parse(text) as GraphQLBody) };
    };
    type GraphQLBody = { errors: { message: string; extensions: { code: string } }[] };
    const errorsBefore = server.logs.filter((l) => l.level === 'error').length;
    const sent = [
      // graphql-js only notices at run time that the schema has no subscriptions.
      ['{"query":"subscription { health { ready } }"}', 400, 'GRAPHQL_VALIDATION_FAILED'],
      // Apollo raises a persisted query whose hash does not match with a status and no code.
      [
        '{"query":"{ health { ready } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
        400,
        'BAD_REQUEST',
      ],
      // A grey level nested deeper than JSON.stringify's stack reaches.
      [
        `{"query":"mutation($p: GreyLevels!) { classify(input: { pixels: $p }) { provider } }",` +
          `"variables":{"p":[${'['.repeat(100_000)}0${']'.repeat(100_000)}${',0'.repeat(2303)}]}}`,
        200,
        'INVALID_PIXELS',
      ],
      // graphql-js quotes a bad variable's value whole, twice.
      [
        JSON.stringify({
          query: 'mutation($c: CropInput) { classify(input: { image: "AAAA", crop: $c }) { provider } }',
          variables: { c: { x: 'z'.repeat(200_000), y: 0, size: 1 } },
        }),
        400,
        'BAD_USER_INPUT',
      ],
    ] as const;
    for (const [body, status, code] of sent) {
      const res = await post(body);
      expect([res.status, res.errors[0]!.extensions.code]).toEqual([status, code]);
      expect(res.length).toBeLessThan(2000);
    }
    expect((await post('{"query":"{ health { ready } }"}')).status).toBe(200);
    expect(server.logs.filter((l) => l.level === 'error')).toHaveLength(errorsBefore);
    expect(JSON.stringify(server.logs).length).toBeLessThan(200_000);
  });

  it('reads a JSON body whatever the letter case of its media type, and only a JSON media type as JSON', async () => {
    const post = (type: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': type },
        body: '{"query":"{ health { ready } }"}',
      });
    for (const type of [
      'APPLICATION/JSON',
      'Application/Json; Charset=UTF-8',
      ' application/json ;charset=utf-8',
    ])
      expect((await post(type)).status, type).toBe(200);
    const jsonx = await post('application/jsonx');
    expect(jsonx.status).toBe(400);
    expect(
      ((await jsonx.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('BAD_REQUEST');
  });

  it('refuses made-up input fields as one error, and past 50 wrong values still says it is the client', async () => {
    // graphql-js made 50 errors of an object's made-up fields, each quoting every key: seconds of the
    // server's only thread for a body of a few hundred kilobytes.
    const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 0]));
    const wide = await gql(
      server.url,
      'mutation($c: CropInput) { classify(input: { image: "AAAA", crop: $c }) { provider } }',
      { c: { x: 0, y: 0, size: 1, ...keys } },
    );
    expect(wide.status).toBe(400);
    expect(wide.body.errors).toEqual([
      {
        message:
          'Variable "$c" got invalid value at "c"; Fields "k0", "k1", "k2", … (20000 in all) not defined by type "CropInput".',
        locations: [{ line: 1, column: 10 }],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    const nested = await gql(server.url, CLASSIFY_BATCH, {
      inputs: [{ pixels: testPixels(1) }, { image: 'AAAA', crop: { x: 0, y: 0, size: 1, z: 1 } }],
    });
    expect(nested.body.errors![0]!.message).toBe(
      'Variable "$inputs" got invalid value at "inputs[1].crop"; Field "z" not defined by type "CropInput".',
    );
    // 51 wrong values: graphql-js reports 50 and then stops, with an error of its own that has no code.
    const aliases = Array.from(
      { length: 51 },
      (_, i) => `a${i}: classify(input: { image: "AAAA", crop: $c${i} }) { provider }`,
    );
    const definitions = aliases.map((_, i) => `$c${i}: CropInput`).join(', ');
    const many = await gql(
      server.url,
      `mutation(${definitions}) { ${aliases.join(' ')} }`,
      Object.fromEntries(aliases.map((_, i) => [`c${i}`, { x: 0.5, y: 0, size: 1 }])),
    );
    expect(many.status).toBe(400);
    expect(many.body.errors).toHaveLength(51);
    expect(many.body.errors!.at(-1)!.message).toMatch(/^Too many errors processing variables/);
    expect(new Set(many.body.errors!.map((e) => e.extensions!.code))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(many.body.errors!.some((e) => 'stacktrace' in e.extensions!)).toBe(false);
  });

  it('keeps serving correct answers after all of that, and counts the errors', async () => {
    const again = await classify({ pixels: testPixels(1) });
    expect(before.body.errors).toBeUndefined();
    expect(again.body).toEqual(before.body);
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    for (const code of [
      'INVALID_PIXELS',
      'INVALID_BASE64',
      'INVALID_IMAGE',
      'IMAGE_TOO_LARGE',
      'PAYLOAD_TOO_LARGE',
      'QUERY_TOO_DEEP',
    ]) {
      expect(metrics).toMatch(new RegExp(`facekit_errors_total\\{code="${code}"\\} [1-9]`));
    }
    expect(metrics).toContain(`facekit_execution_provider{provider="${server.state.engine!.provider}"} 1`);
    // Responses refused before GraphQL runs are counted by status too.
    expect(metrics).toMatch(/facekit_http_responses_total\{route="graphql",status="413"\} [1-9]/);
    expect(metrics).toMatch(/facekit_http_responses_total\{route="graphql",status="200"\} [1-9]/);
    expect(metrics).toMatch(/facekit_batch_size_count [1-9]/);
    expect(metrics).toMatch(/facekit_request_duration_seconds_count\{operation="classify"\} [1-9]/);
    expect(server.logs.some((l) => l.msg === 'request' && l.operation === 'classify')).toBe(true);
  });

  it('gives no stack trace for a client error, even in development (see errors.test for internal ones)', async () => {
    const res = await classify({ pixels: [1] });
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'INVALID_PIXELS', field: 'input.pixels' });
    // GraphQL's own refusals too: an unknown field, a syntax error.
    for (const query of ['{ nope }', '{ health {']) {
      const refused = await gql(server.url, query);
      expect(refused.body.errors![0]!.extensions).not.toHaveProperty('stacktrace');
    }
  });
});
