/**
 * How the simulator writes to the wire: normal replies (JSON or SSE), Anthropic error bodies,
 * and every fault. Each function owns one response from its status line to its end (or its
 * deliberate lack of one).
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { ErrorBody, Message } from '../types.js';
import type { Fault } from './faults.js';
import { formatSseEvent, messageToSseEvents } from './sse.js';

/** One response in progress: where to write, its request id, and how to count its status. */
export interface Responder {
  res: ServerResponse;
  requestId: string;
  countStatus(status: number): void;
}

/** The body the invalid-json fault sends: valid as a start, cut mid-string. */
export const INVALID_JSON_BODY = '{"id": "msg_';

/**
 * Send the reply for a request that gets no fault: JSON, or SSE when the request asked to stream.
 * `onBegin` runs once the response has begun: after `message_start` went out for a stream, after
 * the whole body was handed to the socket for JSON (the prompt cache commits its writes there).
 */
export function sendMessage(out: Responder, message: Message, stream: boolean, onBegin?: () => void): void {
  if (!stream) {
    sendBody(out, 200, 'application/json', JSON.stringify(message));
    onBegin?.();
    return;
  }
  startStream(out);
  messageToSseEvents(message).forEach((event, index) => {
    out.res.write(event);
    if (index === 0) onBegin?.();
  });
  out.res.end();
}

/** Send `value` as a JSON body. */
export function sendJson(
  out: Responder,
  status: number,
  value: unknown,
  headers?: Readonly<Record<string, string>>,
): void {
  sendBody(out, status, 'application/json', JSON.stringify(value), headers);
}

/** Send Anthropic's error body: `{"type":"error","error":{type,message[,details]},"request_id"}`. */
export function sendApiError(
  out: Responder,
  status: number,
  errorType: string,
  message: string,
  extra: { details?: unknown; headers?: Readonly<Record<string, string>> } = {},
): void {
  const body: ErrorBody = {
    type: 'error',
    error:
      extra.details === undefined
        ? { type: errorType, message }
        : { type: errorType, message, details: extra.details },
    request_id: out.requestId,
  };
  sendBody(out, status, 'application/json', JSON.stringify(body), extra.headers);
}

/**
 * Act out `fault`. `message` is the reply the request would have had, for the faults that send
 * part of it; `stream` says which form that part takes (for `truncate`).
 */
export function sendFault(out: Responder, fault: Fault, message: Message, stream: boolean): void {
  const { res } = out;
  switch (fault.kind) {
    case 'api-error': {
      const extra = {
        ...(fault.details === undefined ? {} : { details: fault.details }),
        ...(fault.headers === undefined ? {} : { headers: fault.headers }),
      };
      sendApiError(out, fault.status, fault.errorType, fault.message, extra);
      return;
    }
    case 'raw-response':
      sendBody(out, fault.status, fault.contentType, fault.body, fault.headers);
      return;
    case 'drop':
      res.socket?.destroy();
      return;
    case 'truncate': {
      const body = Buffer.from(stream ? messageToSseEvents(message).join('') : JSON.stringify(message));
      out.countStatus(200);
      res.writeHead(200, {
        'content-type': stream ? 'text/event-stream' : 'application/json',
        'content-length': String(body.length),
      });
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      endSocketEarly(res);
      return;
    }
    case 'invalid-json':
      sendBody(out, 200, 'application/json', INVALID_JSON_BODY);
      return;
    case 'stream-error':
      writeFirstEvents(out, message, fault.afterEvents);
      res.write(
        formatSseEvent('error', { type: 'error', error: { type: fault.errorType, message: fault.message } }),
      );
      res.end();
      return;
    case 'stream-cut':
      writeFirstEvents(out, message, fault.afterEvents);
      endSocketEarly(res);
      return;
    case 'stream-stall':
      // Nothing more is written; the server's close() ends the response.
      writeFirstEvents(out, message, fault.afterEvents);
      return;
    case 'hang':
      return;
    case 'slow-body':
      void sendSlowly(out, message, stream, fault.intervalMs);
      return;
    case 'endless-body':
      sendEndlessly(out, stream);
      return;
  }
}

/** Pieces of a JSON body sent by `slow-body`. */
const SLOW_JSON_PIECES = 8;

/** The normal reply, a piece every `intervalMs`, until it is all sent or the client is gone. */
async function sendSlowly(
  out: Responder,
  message: Message,
  stream: boolean,
  intervalMs: number,
): Promise<void> {
  const { res } = out;
  let pieces: string[];
  if (stream) {
    startStream(out);
    pieces = messageToSseEvents(message);
  } else {
    const body = JSON.stringify(message);
    out.countStatus(200);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.flushHeaders();
    const size = Math.ceil(body.length / SLOW_JSON_PIECES);
    pieces = Array.from({ length: SLOW_JSON_PIECES }, (_, i) => body.slice(i * size, (i + 1) * size));
  }
  for (const piece of pieces) {
    await delay(intervalMs);
    if (res.destroyed) return;
    res.write(piece);
  }
  res.end();
}

/** Filler written at a time by `endless-body`. */
const ENDLESS_CHUNK = 64 * 1024;

/** A body that never ends: each chunk is written once the socket took the last one, until it closes. */
function sendEndlessly(out: Responder, stream: boolean): void {
  const { res } = out;
  out.countStatus(200);
  res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
  const ping = 'event: ping\ndata: {"type":"ping"}\n\n';
  res.write(stream ? ping : '{"type":"message","filler":"');
  const filler = stream ? ping.repeat(Math.ceil(ENDLESS_CHUNK / ping.length)) : 'x'.repeat(ENDLESS_CHUNK);
  const more = (): void => {
    while (!res.destroyed && res.write(filler));
    if (!res.destroyed) res.once('drain', more);
  };
  more();
}

/** Send a complete body with its content-length. */
export function sendBody(
  out: Responder,
  status: number,
  contentType: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  out.countStatus(status);
  out.res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
  });
  out.res.end(body);
}

function startStream(out: Responder): void {
  out.countStatus(200);
  out.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // Headers go out now, so a client waiting on a stream that sends nothing still sees the 200.
  out.res.flushHeaders();
}

function writeFirstEvents(out: Responder, message: Message, count: number): void {
  startStream(out);
  for (const event of messageToSseEvents(message).slice(0, Math.max(0, count))) out.res.write(event);
}

/**
 * Close the connection before the response is complete. `end()` on the socket (not `destroy()`)
 * so what was written is flushed first: the client gets the partial body, then EOF.
 */
function endSocketEarly(res: ServerResponse): void {
  res.socket?.end();
}
