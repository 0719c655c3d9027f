/**
 * A rough page count of a base64 PDF, for the input-token estimate (no PDF parsing library).
 */

/**
 * Bytes per page assumed when no page object can be seen (PDF 1.5 object streams compress them).
 * 50 KB is on the small side for scanned pages and large for text pages: it errs towards more pages.
 */
export const PDF_BYTES_PER_PAGE_FALLBACK = 50_000;

/**
 * Count `/Type /Page` objects (not `/Pages`) in the decoded file. When none is visible, guess from
 * the size at {@link PDF_BYTES_PER_PAGE_FALLBACK} bytes a page. At least 1.
 */
export function countPdfPagesFromBase64(data: string): number {
  const bytes = Buffer.from(data, 'base64');
  // latin1 maps every byte to one char, so binary streams cannot break the scan.
  const pages = bytes.toString('latin1').match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
  return pages > 0 ? pages : Math.max(1, Math.ceil(bytes.length / PDF_BYTES_PER_PAGE_FALLBACK));
}
