/**
 * The multipart request reader on bodies made as clients make them (a FormData, encoded by fetch's own
 * writer): files put in their variables, and every malformed request refused naming its part.
 */
import { describe, expect, it } from 'vitest';
import { multipartRequest, UploadedFile } from './multipart-request.js';

/** A multipart body and its headers, as fetch would send `parts` (a Blob part is a file). */
async function encode(
  parts: [string, string | Blob, string?][],
): Promise<[Buffer, { 'content-type': string }]> {
  const form = new FormData();
  for (const [name, value, filename] of parts)
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, filename);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return [Buffer.from(await request.arrayBuffer()), { 'content-type': request.headers.get('content-type')! }];
}

const QUERY = 'mutation($p: Upload) { classifyFaces(photo: $p) { width } }';
const operations = (variables: unknown) => JSON.stringify({ query: QUERY, variables });
const jpeg = new Blob([Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' });

async function read(parts: [string, string | Blob, string?][], maxFiles = 8) {
  const [body, headers] = await encode(parts);
  return multipartRequest(body, headers, maxFiles);
}

// A bare RegExp in toMatchObject matches any value (it has no own properties to compare): the
// message is matched with stringMatching.
const refusal = async (parts: [string, string | Blob, string?][], message: RegExp, maxFiles = 8) => {
  await expect(read(parts, maxFiles)).rejects.toMatchObject({
    code: 'INVALID_MULTIPART',
    message: expect.stringMatching(message),
  });
};

describe('multipartRequest', () => {
  it('puts each file, bytes unchanged, in the variable its map names', async () => {
    const request = (await read([
      ['operations', operations({ p: null })],
      ['map', JSON.stringify({ 0: ['variables.p'] })],
      ['0', jpeg, 'face.jpg'],
    ])) as { query: string; variables: { p: UploadedFile } };
    expect(request.query).toBe(QUERY);
    expect(request.variables.p).toBeInstanceOf(UploadedFile);
    expect([...request.variables.p.bytes]).toEqual([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    expect(request.variables.p).toMatchObject({ filename: 'face.jpg', mimeType: 'image/jpeg' });
  });

  it('fills list items and several places with one file', async () => {
    const request = (await read([
      [
        'operations',
        operations({ inputs: [{ photo: null }, { pixels: [1] }, { photo: null }], other: null }),
      ],
      [
        'map',
        JSON.stringify({
          a: ['variables.inputs.0.photo', 'variables.other'],
          b: ['variables.inputs.2.photo'],
        }),
      ],
      ['a', jpeg, 'a.jpg'],
      ['b', new Blob([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0xfe])], { type: 'image/png' })],
    ])) as { variables: { inputs: { photo?: UploadedFile }[]; other: UploadedFile } };
    const [first, , third] = request.variables.inputs;
    expect(first!.photo).toBe(request.variables.other);
    expect([...third!.photo!.bytes]).toEqual([0x89, 0x50, 0x4e, 0x47, 0xfe]);
  });

  it('takes a part sent without a file name as a file, its bytes not decoded as text', async () => {
    const body = Buffer.concat([
      Buffer.from(
        `--b\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${operations({ p: null })}\r\n` +
          `--b\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0": ["variables.p"]}\r\n` +
          `--b\r\ncontent-disposition: form-data; name="0"\r\ncontent-type: image/png\r\n\r\n`,
      ),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xfe, 0xff]),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const request = (await multipartRequest(
      body,
      { 'content-type': 'multipart/form-data; boundary=b' },
      8,
    )) as {
      variables: { p: UploadedFile };
    };
    expect([...request.variables.p.bytes]).toEqual([0x89, 0x50, 0x4e, 0x47, 0xfe, 0xff]);
    expect(request.variables.p.filename).toBeUndefined();
  });

  it('refuses operations or map missing or not JSON, saying how a request is laid out', async () => {
    await refusal([['map', '{}']], /^operations: is missing; a multipart request sends .*"operations"/);
    await refusal([['operations', operations({})]], /^map: is missing/);
    await refusal(
      [
        ['operations', '{query'],
        ['map', '{}'],
      ],
      /^operations: is not valid JSON/,
    );
    await refusal(
      [
        ['operations', operations({})],
        ['map', '[]'],
      ],
      /^map: must be a JSON object/,
    );
    await refusal(
      [
        ['operations', operations({})],
        ['map', '{"0": "variables.p"}'],
        ['0', jpeg, 'a.jpg'],
      ],
      /^map\["0"\]: must be a list of variable paths/,
    );
  });

  it('refuses a map naming a file not sent, a place that is not a null variable, or a file it does not name', async () => {
    const ops = operations({ p: null, q: 'text' });
    await refusal(
      [
        ['operations', ops],
        ['map', '{"0": ["variables.p"]}'],
      ],
      /^map\["0"\]: names a file part the request does not hold/,
    );
    for (const path of [
      'variables.missing',
      'variables.p.deeper',
      'variables.__proto__',
      '__proto__.polluted',
    ])
      await refusal(
        [
          ['operations', ops],
          ['map', JSON.stringify({ 0: [path] })],
          ['0', jpeg, 'a.jpg'],
        ],
        /which is not a variable of operations$/,
      );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A path that would not show as it is (empty, blank) is quoted.
    for (const [path, shown] of [
      ['', '""'],
      [' ', '" "'],
    ])
      await refusal(
        [
          ['operations', ops],
          ['map', JSON.stringify({ 0: [path] })],
          ['0', jpeg, 'a.jpg'],
        ],
        new RegExp(`^map\\["0"\\]: names ${shown}, which is not a variable of operations$`),
      );
    await refusal(
      [
        ['operations', ops],
        ['map', '{"0": ["variables.q"]}'],
        ['0', jpeg, 'a.jpg'],
      ],
      /^map\["0"\]: names variables\.q, which must be null in operations/,
    );
    await refusal(
      [
        ['operations', ops],
        ['map', '{"0": ["variables.p"]}'],
        ['0', jpeg, 'a.jpg'],
        ['1', jpeg, 'b.jpg'],
      ],
      /^1: is a file part the map does not name/,
    );
  });

  it('refuses a part sent twice, more files than allowed, and a body that is not multipart', async () => {
    await refusal(
      [
        ['operations', operations({})],
        ['operations', operations({})],
        ['map', '{}'],
      ],
      /^operations: is sent twice$/,
    );
    await refusal(
      [
        ['operations', operations({ p: null })],
        ['map', '{"0": ["variables.p"]}'],
        ['0', jpeg, 'a.jpg'],
        ['0', jpeg, 'b.jpg'],
      ],
      /^0: is sent twice$/,
    );
    // A name that would not show as it is (empty, or holding ": ") is quoted.
    await refusal(
      [
        ['operations', operations({ p: null })],
        ['map', '{"0": ["variables.p"]}'],
        ['0', jpeg, 'a.jpg'],
        ['', jpeg, 'b.jpg'],
        ['', jpeg, 'c.jpg'],
      ],
      /^"": is sent twice$/,
    );
    await refusal(
      [
        ['operations', operations({ p: null })],
        ['map', '{"0": ["variables.p"]}'],
        ['0', jpeg, 'a.jpg'],
        ['a: b', jpeg, 'b.jpg'],
      ],
      /^"a: b": is a file part the map does not name/,
    );
    await refusal(
      [
        ['operations', operations({ a: null, b: null })],
        ['map', '{"0": ["variables.a"], "1": ["variables.b"]}'],
        ['0', jpeg, 'a'],
        ['1', jpeg, 'b'],
      ],
      /^body: holds more than 1 files, the limit \(--max-batch-items\)$/,
      1,
    );
    await expect(
      multipartRequest(Buffer.from('{}'), { 'content-type': 'multipart/form-data' }, 8),
    ).rejects.toMatchObject({
      code: 'INVALID_MULTIPART',
      message: expect.stringMatching(/^body: is not a multipart\/form-data body/),
    });
    await expect(
      multipartRequest(
        Buffer.from('--x\r\nnonsense'),
        { 'content-type': 'multipart/form-data; boundary=x' },
        8,
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_MULTIPART',
      message: expect.stringMatching(/^(operations: is missing|body: )/),
    });
  });

  it('refuses a part whose content-disposition has no name, rather than call it "undefined"', async () => {
    const body = Buffer.from(
      `--b\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${operations({ p: null })}\r\n` +
        `--b\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0": ["variables.p"]}\r\n` +
        `--b\r\ncontent-disposition: form-data; name="0"\r\n\r\nxx\r\n` +
        `--b\r\ncontent-disposition: form-data; filename="a.jpg"\r\n\r\nyy\r\n--b--\r\n`,
    );
    await expect(
      multipartRequest(body, { 'content-type': 'multipart/form-data; boundary=b' }, 8),
    ).rejects.toMatchObject({
      code: 'INVALID_MULTIPART',
      message: expect.stringMatching(
        /^body: holds a part with no name \(content-disposition: form-data; name="…"\)$/,
      ),
    });
  });

  it('answers a body holding a part without a name of 16 KiB or more (busboy skipped it and stalled)', async () => {
    // busboy skips a part that has no content-disposition name; one of its part streams' high-water
    // mark (16 KiB) or more, arriving in one write, paused the parser for good: no 'finish', no error,
    // and the request waited for ever.
    const body = Buffer.concat([
      Buffer.from(
        `--b\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${operations({ p: null })}\r\n` +
          `--b\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0": ["variables.p"]}\r\n` +
          `--b\r\ncontent-type: image/jpeg\r\n\r\n`,
      ),
      Buffer.alloc(16 * 1024, 0xff),
      Buffer.from(
        `\r\n--b\r\ncontent-disposition: form-data; name="0"\r\n\r\n\xff\xd8\xff\r\n--b--\r\n`,
        'latin1',
      ),
    ]);
    const request = (await multipartRequest(
      body,
      { 'content-type': 'multipart/form-data; boundary=b' },
      8,
    )) as { variables: { p: UploadedFile } };
    expect([...request.variables.p.bytes]).toEqual([0xff, 0xd8, 0xff]);
  }, 2000);

  it('refuses a body that ends inside a file part, naming the part (its stream errs, which must not go unheard)', async () => {
    // No closing boundary after the file's bytes: a client that cut its body short, or forgot the
    // last line. The file part's own stream errs; unheard, that error ended the server's process.
    const body = Buffer.from(
      `--b\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${operations({ p: null })}\r\n` +
        `--b\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0": ["variables.p"]}\r\n` +
        `--b\r\ncontent-disposition: form-data; name="0"; filename="a.jpg"\r\n\r\n\xff\xd8\xff`,
      'latin1',
    );
    await expect(
      multipartRequest(body, { 'content-type': 'multipart/form-data; boundary=b' }, 8),
    ).rejects.toMatchObject({
      code: 'INVALID_MULTIPART',
      message: expect.stringMatching(/^0: is cut short/),
    });
  });
});
