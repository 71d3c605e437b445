/**
 * Photos in a format the server reads (JPEG, WebP) that the browser and the server (sharp, libvips)
 * still decode to different pixels: a CMYK JPEG, whose inks the browser turns into RGB by formula and
 * libvips through a CMYK colour profile (30 grey levels apart and more), and a WebP with an EXIF
 * orientation, which libvips applies and Chromium does not (the server then sees the photo turned, and
 * refuses the page's square as outside it). Compare sends such a photo as a PNG of the pixels the page
 * read, as it sends a GIF, so both sides see one input. Read from the file's bytes alone.
 */

/** Why the server would decode `bytes` differently from the browser, or null when it would not. */
export function decodedDifferently(bytes: Uint8Array): string | null {
  if (jpegComponents(bytes) === 4) return 'a CMYK JPEG';
  const orientation = webpOrientation(bytes);
  if (orientation !== undefined && orientation !== 1) return 'a WebP with an EXIF orientation';
  return null;
}

/** The number of colour components a JPEG's frame header gives (1 grey, 3 YCbCr, 4 CMYK). */
export function jpegComponents(bytes: Uint8Array): number | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // Start of frame (baseline, progressive, …; not DHT C4, JPG C8, DAC CC): its component count.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return bytes[i + 9];
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any frame header
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  return undefined;
}

const ascii = (bytes: Uint8Array, from: number, length: number) =>
  String.fromCharCode(...bytes.subarray(from, from + length));

/** A WebP's EXIF orientation (1–8), or undefined when it has no EXIF chunk or no orientation in it. */
export function webpOrientation(bytes: Uint8Array): number | undefined {
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WEBP') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 12; i + 8 <= bytes.length;) {
    const size = view.getUint32(i + 4, true);
    if (ascii(bytes, i, 4) === 'EXIF') {
      let tiff = i + 8;
      if (ascii(bytes, tiff, 6) === 'Exif\0\0') tiff += 6; // some writers keep JPEG's APP1 prefix
      return tiffOrientation(view, tiff, Math.min(bytes.length, i + 8 + size));
    }
    i += 8 + size + (size % 2);
  }
  return undefined;
}

/** The orientation tag (0x0112) of the first directory of the TIFF structure at `start`. */
function tiffOrientation(view: DataView, start: number, end: number): number | undefined {
  if (start + 8 > end) return undefined;
  const order = view.getUint16(start);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined; // "II" little-endian, "MM" big-endian
  const little = order === 0x4949;
  const directory = start + view.getUint32(start + 4, little);
  if (directory + 2 > end) return undefined;
  const count = view.getUint16(directory, little);
  for (let k = 0; k < count; k++) {
    const entry = directory + 2 + 12 * k;
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little);
  }
  return undefined;
}
