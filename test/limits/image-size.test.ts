import { describe, expect, it } from 'vitest';
import { imageSizeFromBase64, imageSizeFromBytes, readImageSize } from '../../src/limits/image-size.js';
import { gif, jpeg, png, toBase64, webpExtended, webpLossless, webpLossy } from './images.js';

describe('image size from headers', () => {
  it.each([
    ['PNG', png(3, 2), 3, 2],
    ['GIF', gif(300, 200), 300, 200],
    ['baseline JPEG', jpeg(640, 480), 640, 480],
    ['progressive JPEG', jpeg(17, 4000, { sof: 0xc2 }), 17, 4000],
    ['lossy WebP', webpLossy(1024, 768), 1024, 768],
    ['lossless WebP', webpLossless(16_383, 1), 16_383, 1],
    ['extended WebP', webpExtended(5000, 3000), 5000, 3000],
  ])('reads a %s', (_, bytes, width, height) => {
    expect(imageSizeFromBytes(bytes)).toEqual({ width, height });
    expect(imageSizeFromBase64(toBase64(bytes))).toEqual({ width, height });
  });

  it('walks past a large EXIF segment while decoding only the bytes it reads', () => {
    const bytes = jpeg(4032, 3024, { exifBytes: 60_000 });
    const reads: number[] = [];
    const size = readImageSize((offset, length) => {
      reads.push(length);
      return bytes.subarray(offset, offset + length);
    });
    expect(size).toEqual({ width: 4032, height: 3024 });
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(100);
    expect(imageSizeFromBase64(toBase64(bytes))).toEqual({ width: 4032, height: 3024 });
  });

  it('reads base64 broken over lines', () => {
    const wrapped = toBase64(png(40, 30)).replace(/.{1,20}/g, '$&\n');
    expect(imageSizeFromBase64(wrapped)).toEqual({ width: 40, height: 30 });
  });

  it.each([
    ['an empty buffer', new Uint8Array()],
    ['text', new TextEncoder().encode('hello, this is not an image at all')],
    ['a truncated PNG', png(3, 2).subarray(0, 20)],
    ['a JPEG cut before its frame', jpeg(640, 480, { exifBytes: 100 }).subarray(0, 60)],
    ['a JPEG with no frame before its scan', Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9])],
    ['a JPEG whose segments do not start with 0xff', Uint8Array.from([0xff, 0xd8, 0x00, 0xe0, 0, 2])],
    ['a zero-width GIF', gif(0, 10)],
    ['a RIFF that is not WebP', Uint8Array.from([...'RIFF\0\0\0\0WAVEfmt '].map((c) => c.charCodeAt(0)))],
  ])('gives null for %s', (_, bytes) => {
    expect(imageSizeFromBytes(bytes)).toBeNull();
  });

  it('gives null for base64 that is not an image', () => {
    expect(imageSizeFromBase64('')).toBeNull();
    expect(imageSizeFromBase64('%%%not base64%%%')).toBeNull();
  });
});
