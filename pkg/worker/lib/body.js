// Reading request bodies with a size cap: the declared Content-Length is checked first, then the
// bytes actually streamed (a chunked body has no length to trust).

/** The request body as bytes, or `null` when it is larger than `limit` bytes. */
export async function boundedBytes(request, limit) {
  const declared = Number(request.headers.get('Content-Length') ?? '0');
  if (declared > limit) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

/**
 * Reads and drops a body that will not be used (up to `limit` bytes; a larger one is left): a
 * peer still sending it when the answer comes would otherwise see its connection reset
 * (ECONNRESET) instead of the answer.
 */
export async function discardBody(request, limit) {
  const declared = Number(request.headers.get('Content-Length') ?? '0');
  if (!request.body || declared > limit) return;
  const reader = request.body.getReader();
  for (let size = 0; ; ) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return;
    }
  }
}

/** The request body as UTF-8 text, or `null` when it is larger than `limit` bytes. */
export async function boundedText(request, limit) {
  const bytes = await boundedBytes(request, limit);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** The media type of a request (`Content-Type` without parameters, lower-cased). */
export function mediaType(request) {
  return (request.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
}
