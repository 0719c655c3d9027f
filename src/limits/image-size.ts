/**
 * The pixel size of an image sent as base64 (a Messages API `source.data`), read by the `image-size`
 * package from the image's own header, without decoding the image. Only the first bytes are decoded
 * from base64 at first: enough for every format's header and for a JPEG's usual EXIF block.
 */
import { imageSize } from 'image-size';

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Base64 characters decoded on the first try: 96 KiB of image bytes. A JPEG's frame header can come
 * after a long EXIF block (a phone photo's thumbnail); then the whole image is decoded.
 */
const HEAD_BASE64_CHARS = 128 * 1024;

/** Size of a base64-encoded image, or null when it is not an image `image-size` can read. */
export function imageSizeFromBase64(data: string): ImageSize | null {
  if (data.length > HEAD_BASE64_CHARS) {
    const head = sizeOf(Buffer.from(data.slice(0, HEAD_BASE64_CHARS), 'base64'));
    if (head !== null) return head;
  }
  return sizeOf(Buffer.from(data, 'base64'));
}

/** Size of an image held in memory, or null. Dimensions of 0 count as unreadable. */
export function imageSizeFromBytes(bytes: Uint8Array): ImageSize | null {
  return sizeOf(bytes);
}

function sizeOf(bytes: Uint8Array): ImageSize | null {
  try {
    // image-size reads through a DataView of the whole underlying buffer: a view into Node's shared
    // pool would let a header cut short read other bytes. Its own buffer makes that a RangeError.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const { width, height } = imageSize(own ? bytes : new Uint8Array(bytes));
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    // Not an image, a format it does not know, or a header cut short: the caller assumes the largest.
    return null;
  }
}
