import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageSizeFromBase64, imageSizeFromBytes } from '../../src/limits/image-size.js';
import { gif, jpeg, png, toBase64, webpExtended, webpLossless, webpLossy } from './images.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');

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

  it.each([
    ['gradient-300x200.png', 300, 200],
    ['plasma-2400x1600.jpg', 2400, 1600],
  ])('reads the real file %s', (name, width, height) => {
    const bytes = readFileSync(join(FIXTURES, name));
    expect(imageSizeFromBase64(bytes.toString('base64'))).toEqual({ width, height });
  });

  it('finds a JPEG frame behind an EXIF block longer than the first bytes it decodes', () => {
    const bytes = jpeg(4032, 3024, { exifBytes: 60_000 });
    expect(imageSizeFromBase64(toBase64(bytes))).toEqual({ width: 4032, height: 3024 });
    const far = jpeg(4032, 3024, { exifBytes: 65_000 * 3 });
    expect(imageSizeFromBase64(toBase64(far))).toEqual({ width: 4032, height: 3024 });
  });

  it('does not read a JPEG with a fill byte before its frame (legal, but no encoder writes one)', () => {
    expect(imageSizeFromBytes(jpeg(640, 480, { fillByte: true }))).toBeNull();
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
