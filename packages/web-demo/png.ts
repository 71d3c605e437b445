/**
 * A minimal PNG writer (8- or 16-bit grey, RGB or RGBA, no filtering) over node:zlib, with no image library: it
 * writes the demo's sample faces (make-samples.ts), and the browser suites use it to hand the page
 * real photo files of any size. Node-only; the page never imports it.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  let crc = 0xffffffff;
  for (const b of body) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0, body.length + 4);
  return out;
}

/**
 * `data` is row-major, `channels` (1 grey, 3 RGB, 4 RGBA) samples per pixel: 8 bits each, or 16 when
 * it is a Uint16Array. `orientation` (EXIF, 1–8) adds an eXIf chunk saying how to turn the picture;
 * `transparent` (grey or RGB, at the samples' bit depth) a tRNS chunk naming the one transparent colour.
 */
export function encodePng(
  data: Uint8Array | Uint8ClampedArray | Uint16Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  { orientation, transparent }: { orientation?: number; transparent?: readonly number[] } = {},
): Buffer {
  const bytes = data instanceof Uint16Array ? 2 : 1;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8 * bytes, { 1: 0, 3: 2, 4: 6 }[channels], 0, 0, 0], 8);
  const stride = width * channels;
  const rows = Buffer.alloc((stride * bytes + 1) * height);
  for (let y = 0; y < height; y++)
    for (let i = 0; i < stride; i++) {
      const at = y * (stride * bytes + 1) + 1 + i * bytes;
      if (bytes === 2) rows.writeUInt16BE(data[y * stride + i]!, at);
      else rows[at] = data[y * stride + i]!;
    }
  // A big-endian TIFF header and one IFD entry: Orientation (0x0112), SHORT, one value.
  const exif = Buffer.from([
    77, 77, 0, 42, 0, 0, 0, 8, 0, 1, 1, 18, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  if (orientation) exif[19] = orientation;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    ...(orientation ? [chunk('eXIf', exif)] : []),
    ...(transparent ? [chunk('tRNS', trnsData(transparent))] : []),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** A tRNS chunk's data for a grey or RGB picture: each sample of the colour as two bytes, big-endian. */
function trnsData(colour: readonly number[]): Buffer {
  const data = Buffer.alloc(colour.length * 2);
  colour.forEach((v, i) => data.writeUInt16BE(v, i * 2));
  return data;
}
