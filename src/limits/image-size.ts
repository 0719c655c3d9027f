/**
 * Width and height of a PNG, JPEG, GIF or WebP from its header bytes, without decoding the image.
 * Base64 data is decoded only around the bytes read (a JPEG is walked segment by segment).
 */

export interface ImageSize {
  width: number;
  height: number;
}

/** Bytes `[offset, offset + length)` of an image; fewer (or none) past its end. */
export type ByteReader = (offset: number, length: number) => Uint8Array;

/** Stop walking a JPEG after this many segments: a corrupt file must not loop for long. */
const MAX_JPEG_SEGMENTS = 1000;

/** Size of an image held in memory, or null when it is not a readable PNG, JPEG, GIF or WebP. */
export function imageSizeFromBytes(bytes: Uint8Array): ImageSize | null {
  return readImageSize((offset, length) => bytes.subarray(offset, offset + length));
}

/** Size of a base64-encoded image (a Messages API `source.data`), or null when unreadable. */
export function imageSizeFromBase64(data: string): ImageSize | null {
  // Offsets map to base64 positions only without whitespace; the API sends none, but be lenient.
  const clean = /[^A-Za-z0-9+/=_-]/.test(data) ? data.replace(/[^A-Za-z0-9+/=_-]/g, '') : data;
  return readImageSize((offset, length) => {
    const first = Math.floor(offset / 3);
    const chunk = Buffer.from(clean.slice(first * 4, Math.ceil((offset + length) / 3) * 4), 'base64');
    const skip = offset - first * 3;
    return chunk.subarray(skip, skip + length);
  });
}

/** Size from any byte source, or null. Dimensions of 0 count as unreadable. */
export function readImageSize(read: ByteReader): ImageSize | null {
  const size = readAnySize(read);
  return size !== null && size.width > 0 && size.height > 0 ? size : null;
}

function readAnySize(read: ByteReader): ImageSize | null {
  const head = read(0, 30);
  if (isPng(head)) return readPng(head);
  if (isGif(head)) return readGif(head);
  if (isWebp(head)) return readWebp(head);
  if (head[0] === 0xff && head[1] === 0xd8) return readJpeg(read);
  return null;
}

function isPng(b: Uint8Array): boolean {
  return startsWith(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) && ascii(b, 12, 4) === 'IHDR';
}

/** PNG: the IHDR chunk comes first; width and height are big-endian 32-bit at 16 and 20. */
function readPng(b: Uint8Array): ImageSize | null {
  if (b.length < 24) return null;
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

function isGif(b: Uint8Array): boolean {
  const magic = ascii(b, 0, 6);
  return magic === 'GIF87a' || magic === 'GIF89a';
}

/** GIF: the logical screen size, little-endian 16-bit at 6 and 8. */
function readGif(b: Uint8Array): ImageSize | null {
  if (b.length < 10) return null;
  return { width: u16le(b, 6), height: u16le(b, 8) };
}

function isWebp(b: Uint8Array): boolean {
  return ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP';
}

/** WebP: the first chunk is `VP8 ` (lossy), `VP8L` (lossless) or `VP8X` (extended, with canvas size). */
function readWebp(b: Uint8Array): ImageSize | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && b.length >= 30 && startsWith(b, 23, [0x9d, 0x01, 0x2a])) {
    // Key frame header: 14-bit dimensions, the top 2 bits are a scaling hint.
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) {
    // Signature 0x2f, then 14 bits width - 1 and 14 bits height - 1, little-endian bit order.
    const bits = u32le(b, 21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && b.length >= 30) {
    return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  }
  return null;
}

/**
 * JPEG: walk the marker segments from SOI to the first start-of-frame (SOF0-SOF15 except DHT, JPG
 * and DAC), which holds height then width, big-endian 16-bit. EXIF and other APPn segments before it
 * can be tens of kilobytes, hence the walk instead of a fixed header. Rotation by EXIF orientation
 * does not matter here: the token estimate depends only on the area and the long edge.
 */
function readJpeg(read: ByteReader): ImageSize | null {
  let pos = 2;
  for (let i = 0; i < MAX_JPEG_SEGMENTS; i += 1) {
    const b = read(pos, 9);
    if (b.length < 2 || b[0] !== 0xff) return null;
    const marker = b[1] ?? 0;
    if (marker === 0xff) {
      pos += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda || b.length < 4) return null; // EOI or scan data before any frame
    if (isStartOfFrame(marker)) return b.length < 9 ? null : { width: u16be(b, 7), height: u16be(b, 5) };
    pos += 2 + u16be(b, 2);
  }
  return null;
}

function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function startsWith(b: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  return bytes.every((byte, i) => b[offset + i] === byte);
}

function ascii(b: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...b.subarray(offset, offset + length));
}

function byteAt(b: Uint8Array, i: number): number {
  return b[i] ?? 0;
}

function u16be(b: Uint8Array, i: number): number {
  return (byteAt(b, i) << 8) | byteAt(b, i + 1);
}

function u16le(b: Uint8Array, i: number): number {
  return byteAt(b, i) | (byteAt(b, i + 1) << 8);
}

function u24le(b: Uint8Array, i: number): number {
  return u16le(b, i) | (byteAt(b, i + 2) << 16);
}

function u32le(b: Uint8Array, i: number): number {
  return (u24le(b, i) | (byteAt(b, i + 3) << 24)) >>> 0;
}

function u32be(b: Uint8Array, i: number): number {
  return ((u16be(b, i) << 16) | u16be(b, i + 2)) >>> 0;
}
