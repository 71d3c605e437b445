/**
 * Where a face comes from — a dropped or picked photo, a webcam frame, a sample — always ends as the
 * photo's bytes (what Compare sends the server: the file itself when the server reads its format), the
 * square of it that holds the face (the centre square until the user moves it) and that square's
 * 48×48 grey levels, made by core's imageToPixels from the canvas's RGBA pixels. The page never
 * preprocesses any other way, so browser and server feed the models identical tensors for the same
 * photo and square.
 */
import {
  centreSquare,
  fileFormat,
  imageToPixels,
  MAX_IMAGE_SIDE,
  SERVED_IMAGE_FORMATS,
  type FaceCrop,
  type RgbaImage,
} from '@facekit/core';
import { decodedDifferently } from './decoder-differences.js';

export interface Face {
  /**
   * The photo as given; a photo over 4096 pixels a side (a phone's 48 MP photo) is scaled to fit
   * first, and this is then a JPEG of the scaled photo (a PNG of one would be over the server's 8 MiB
   * image limit), which the page decodes too. `serverFile` is what Compare sends.
   */
  readonly blob: Blob;
  readonly name: string;
  /**
   * The decoded photo, EXIF orientation applied where the browser applies it (JPEG, PNG; not a WebP's,
   * which the server applies: such a photo is sent to it as a PNG of these pixels, `serverFile`).
   */
  readonly rgba: RgbaImage;
  /** The square of the photo the models see. */
  readonly crop: FaceCrop;
  /** 2304 grey levels of that square, the model input before / 255. */
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** The photo's own size when it was scaled down to fit 4096 pixels a side. */
  readonly scaledFrom?: { readonly width: number; readonly height: number };
  /** A face already framed as the training faces were (a sample): not searched for faces. */
  readonly cropped?: boolean;
}

/** The same photo with another square: its grey levels recomputed (core checks the square). */
export function recrop(face: Face, crop: FaceCrop): Face {
  return { ...face, crop, pixels: imageToPixels(face.rgba, face.name, crop, `${face.name} crop`) };
}

/** The same square, turned by the same angle (absent and 0 both upright). */
export const sameCrop = (a: FaceCrop, b: FaceCrop): boolean =>
  a.x === b.x && a.y === b.y && a.size === b.size && (a.angle ?? 0) === (b.angle ?? 0);

/**
 * Whether the face's square is the one used when none is named (the server's default too): upright,
 * so a turned square on the centre is sent as a crop.
 */
export function isCentreSquare(face: Face): boolean {
  return sameCrop(face.crop, centreSquare(face.width, face.height));
}

export async function faceFromBlob(blob: Blob, name: string): Promise<Face> {
  if (blob.size === 0) throw new Error(`${name} is empty (0 bytes); pick a photo`);
  // The browser shows an SVG but cannot make a bitmap of one without a size, and it is a drawing.
  if (blob.type === 'image/svg+xml')
    throw new Error(`${name} is an SVG drawing; pick a photo (PNG, JPEG, WebP or GIF)`);
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' }).catch((error: unknown) => {
    throw new Error(`${name} is not an image the browser can decode (${(error as Error).message})`);
  });
  const longest = Math.max(bitmap.width, bitmap.height);
  if (longest > MAX_IMAGE_SIDE) {
    // Core (and the server) take at most 4096 a side: scaled to fit, as a camera app would, and saved
    // as a JPEG that both the page and the server then decode.
    const scaledFrom = { width: bitmap.width, height: bitmap.height };
    const scale = MAX_IMAGE_SIDE / longest;
    const scaled = await createImageBitmap(bitmap, {
      resizeWidth: Math.max(1, Math.round(bitmap.width * scale)),
      resizeHeight: Math.max(1, Math.round(bitmap.height * scale)),
      resizeQuality: 'high',
    });
    bitmap.close();
    // A JPEG has no alpha: transparent pixels are put on white first, as core reads them, not on the
    // black a canvas would give them.
    const jpeg = await encode(drawn(scaled, scaled.width, scaled.height, 'white'), 'image/jpeg', 0.92);
    scaled.close();
    return { ...(await faceFromBlob(jpeg, name)), scaledFrom };
  }
  const canvas = drawn(bitmap);
  bitmap.close();
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const { width, height, data } = context.getImageData(0, 0, canvas.width, canvas.height);
  const rgba = { width, height, data };
  const crop = centreSquare(width, height);
  return { blob, name, rgba, crop, pixels: imageToPixels(rgba, name, crop), width, height };
}

/**
 * Whether the server reads `blob` as the page does (PNG, JPEG, WebP), or must be sent a PNG of its
 * pixels: another format, or one its decoder reads otherwise (decoder-differences.ts). Asked only when
 * Compare sends a photo, not for every photo shown.
 */
async function serverReadsAsIs(blob: Blob): Promise<boolean> {
  // The first 8 MiB (what the server takes at most): a WebP's EXIF chunk comes after its image.
  const head = new Uint8Array(await blob.slice(0, 8 << 20).arrayBuffer());
  const format = fileFormat(head);
  return format !== undefined && SERVED_IMAGE_FORMATS.has(format) && decodedDifferently(head) === null;
}

/**
 * The file the server is sent: the photo itself, or for a format the server refuses (GIF, BMP, AVIF)
 * or decodes otherwise (a CMYK JPEG, a WebP with an EXIF orientation) a PNG of the very pixels the page
 * read (for an animated GIF, the frame the models see), made once per photo when first asked for.
 */
export async function serverFile(face: Face): Promise<Blob> {
  if (await serverReadsAsIs(face.blob)) return face.blob;
  let png = pngs.get(face.rgba);
  if (!png) {
    const canvas = document.createElement('canvas');
    canvas.width = face.width;
    canvas.height = face.height;
    const image = new ImageData(Uint8ClampedArray.from(face.rgba.data), face.width, face.height);
    canvas.getContext('2d', { willReadFrequently: true })!.putImageData(image, 0, 0);
    png = encode(canvas, 'image/png');
    pngs.set(face.rgba, png);
  }
  return png;
}

/** serverFile's PNGs, by the pixels they were made from (a recropped face shares its photo's). */
const pngs = new WeakMap<RgbaImage, Promise<Blob>>();

/**
 * A canvas holding `image` at its own size (a video's current frame at the video's size), drawn over
 * `background` when given (else over transparency).
 */
function drawn(
  image: ImageBitmap | HTMLVideoElement,
  width = image.width,
  height = image.height,
  background?: string,
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  if (background) {
    context.fillStyle = background;
    context.fillRect(0, 0, width, height);
  }
  context.drawImage(image, 0, 0);
  return canvas;
}

function encode(
  canvas: HTMLCanvasElement,
  type: 'image/png' | 'image/jpeg',
  quality?: number,
): Promise<Blob> {
  return new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error(`could not encode the photo as ${type}`))),
      type,
      quality,
    ),
  );
}

export async function faceFromUrl(url: string, name: string): Promise<Face> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return faceFromBlob(await response.blob(), name);
}

/** Draws 48×48 grey levels into `canvas` (shown enlarged with pixelated rendering). */
export function drawGrey(canvas: HTMLCanvasElement, pixels: Uint8Array, size = 48): void {
  canvas.width = size;
  canvas.height = size;
  const image = new ImageData(size, size);
  pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
  canvas.getContext('2d')!.putImageData(image, 0, 0);
}

/** What a refused getUserMedia means for the person at the page. */
function cameraProblem(error: unknown): Error {
  const name = (error as DOMException).name;
  const why =
    name === 'NotAllowedError'
      ? 'camera access was refused (allow it for this page in the browser, then try again)'
      : name === 'NotFoundError' || name === 'OverconstrainedError'
        ? 'no camera was found'
        : name === 'NotReadableError'
          ? 'the camera is in use by another program'
          : (error as Error).message;
  return new Error(`Webcam: ${why}.`, { cause: error });
}

/**
 * A webcam on a <video>: start, take a PNG frame, stop. A camera that stops by itself (unplugged, taken
 * by another program, its permission withdrawn: its track ends) is released and `onEnded` told.
 */
export class Webcam {
  private stream: MediaStream | null = null;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onEnded: () => void = () => {},
  ) {}

  get running(): boolean {
    return this.stream !== null;
  }

  /** Starts the camera; a second call while it starts waits for the first instead of opening another. */
  start(): Promise<void> {
    this.starting ??= this.open().finally(() => (this.starting = null));
    return this.starting;
  }

  private async open(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia)
      throw new Error('Webcam: this browser gives no camera access (it needs https or localhost).');
    const stream = await navigator.mediaDevices
      .getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' }, audio: false })
      .catch((error: unknown) => {
        throw cameraProblem(error);
      });
    this.stream = stream;
    for (const track of stream.getVideoTracks())
      track.addEventListener('ended', () => {
        if (this.stream !== stream) return;
        this.stop();
        this.onEnded();
      });
    this.video.srcObject = stream;
    try {
      await this.video.play();
    } catch (error) {
      // Stopped while it started to play (the button pressed again): what was asked for, no failure.
      if (this.stream !== stream) return;
      // Not left on with the toggle saying it is off: the camera is released.
      this.stop();
      throw error;
    }
  }

  stop(): void {
    const stream = this.stream;
    this.stream = null;
    stream?.getTracks().forEach((t) => t.stop());
    this.video.srcObject = null;
  }

  async capture(): Promise<Face> {
    const frame = drawn(this.video, this.video.videoWidth, this.video.videoHeight);
    return faceFromBlob(await encode(frame, 'image/png'), 'webcam frame');
  }
}
