/**
 * Tiny images built byte by byte, per each format's specification, for the image-size and estimate tests.
 */
import { crc32, deflateSync } from 'node:zlib';

function u16be(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}

function u32be(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function u16le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

function u24le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];
}

function u32le(n: number): number[] {
  return [...u16le(n & 0xffff), ...u16le(n >>> 16)];
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function pngChunk(type: string, data: Uint8Array): number[] {
  const typed = Uint8Array.from([...ascii(type), ...data]);
  return [...u32be(data.length), ...typed, ...u32be(crc32(typed))];
}

/** A complete, decodable grayscale PNG of `width` x `height` black pixels. */
export function png(width: number, height: number): Uint8Array {
  const ihdr = Uint8Array.from([...u32be(width), ...u32be(height), 8, 0, 0, 0, 0]);
  // Each row: filter byte 0, then one gray byte per pixel.
  const raw = new Uint8Array((width + 1) * height);
  return Uint8Array.from([
    0x89,
    ...ascii('PNG\r\n\x1a\n'),
    ...pngChunk('IHDR', ihdr),
    ...pngChunk('IDAT', deflateSync(raw)),
    ...pngChunk('IEND', new Uint8Array()),
  ]);
}

/** A GIF89a whose one image covers the logical screen; its LZW data encodes a single clear pixel run. */
export function gif(width: number, height: number): Uint8Array {
  return Uint8Array.from([
    ...ascii('GIF89a'),
    ...u16le(width),
    ...u16le(height),
    0x80, // global color table of 2 entries
    0,
    0,
    ...[0, 0, 0, 255, 255, 255],
    0x2c,
    ...u16le(0),
    ...u16le(0),
    ...u16le(width),
    ...u16le(height),
    0,
    2, // LZW minimum code size
    2,
    0x44,
    0x01,
    0,
    0x3b,
  ]);
}

function segment(marker: number, payload: number[]): number[] {
  return [0xff, marker, ...u16be(payload.length + 2), ...payload];
}

/**
 * A baseline (SOF0) or progressive (SOF2) JPEG header: SOI, JFIF APP0, an EXIF APP1 of `exifBytes`,
 * a quantization table, (a fill byte,) the frame, a Huffman table, the scan header and a few entropy bytes, EOI.
 */
export function jpeg(
  width: number,
  height: number,
  options: { exifBytes?: number; sof?: number; fillByte?: boolean } = {},
): Uint8Array {
  const { exifBytes = 0, sof = 0xc0, fillByte = false } = options;
  return Uint8Array.from([
    0xff,
    0xd8,
    ...segment(0xe0, [...ascii('JFIF'), 0, 1, 1, 0, ...u16be(72), ...u16be(72), 0, 0]),
    ...(exifBytes > 0
      ? segment(0xe1, [...ascii('Exif'), 0, 0, ...new Array<number>(exifBytes).fill(0x20)])
      : []),
    ...segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    // A fill byte before a marker is allowed by the standard; encoders do not write one.
    ...(fillByte ? [0xff] : []),
    ...segment(sof, [8, ...u16be(height), ...u16be(width), 1, 1, 0x11, 0]),
    ...segment(0xc4, [0, ...new Array<number>(16).fill(0).map((_, i) => (i === 0 ? 1 : 0)), 0]),
    ...segment(0xda, [1, 1, 0, 0, 63, 0]),
    0x00,
    0x00,
    0xff,
    0xd9,
  ]);
}

function riff(chunk: string, payload: number[]): Uint8Array {
  const body = [...ascii('WEBP'), ...ascii(chunk), ...u32le(payload.length), ...payload];
  return Uint8Array.from([...ascii('RIFF'), ...u32le(body.length), ...body]);
}

/** A lossy WebP (`VP8 `) key-frame header. */
export function webpLossy(width: number, height: number): Uint8Array {
  // Frame tag: key frame, version 0, shown, first partition of 16 bytes.
  const tag = (16 << 5) | (1 << 4);
  return riff('VP8 ', [
    ...u24le(tag),
    0x9d,
    0x01,
    0x2a,
    ...u16le(width),
    ...u16le(height),
    ...new Array<number>(16).fill(0),
  ]);
}

/** A lossless WebP (`VP8L`) header. */
export function webpLossless(width: number, height: number): Uint8Array {
  const bits = (width - 1) | ((height - 1) << 14);
  return riff('VP8L', [0x2f, ...u32le(bits >>> 0), 0, 0, 0]);
}

/** An extended WebP (`VP8X`) header with its canvas size. */
export function webpExtended(width: number, height: number): Uint8Array {
  return riff('VP8X', [0x10, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)]);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
