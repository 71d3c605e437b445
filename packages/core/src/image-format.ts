/**
 * What kind of image file a byte string is, from its first bytes alone: the server refuses formats it
 * does not decode without handing them to a parser (an SVG's XML, a TIFF's directories) only to name
 * them, and the web demo re-encodes those it may show but the server would refuse.
 */

/** The formats the server decodes: a client sends these files as they are. */
export const SERVED_IMAGE_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'webp']);

/** The format a file's first bytes announce (png, jpeg, webp, gif, tiff, …), undefined when unknown. */
export function fileFormat(bytes: Uint8Array): string | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (['II*\0', 'MM\0*'].includes(ascii(0, 4))) return 'tiff';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    return brand.startsWith('avi')
      ? 'avif'
      : ['heic', 'heix', 'mif1', 'msf1', 'hevc'].includes(brand)
        ? 'heif'
        : undefined;
  }
  if (ascii(0, 2) === 'BM') return 'bmp';
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 1 && bytes[3] === 0) return 'ico';
  if (ascii(0, 4) === '%PDF') return 'pdf';
  if (ascii(0, 4) === '8BPS') return 'psd';
  if ((bytes[0] === 0xff && bytes[1] === 0x0a) || ascii(4, 8) === 'JXL ') return 'jxl';
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(ascii(0, 512)))
    return 'svg';
  return undefined;
}
