import { createServer, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { type Express } from 'express';
import { Problem, problemDocument } from './problems';

/**
 * What Node's HTTP parser refuses before Express sees the request: a request line and headers over
 * `maxHeaderSize` (16 KiB by default: a huge `Authorization` header or URL), a request that does not
 * parse, one that took longer than `requestTimeout`. Node would answer these itself with an empty
 * body; here they are problem+json like every other answer, and the connection is closed.
 */
export function clientErrorProblem(error: NodeJS.ErrnoException): Problem {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new Problem(431, 'REQUEST_HEADERS_TOO_LARGE', 'the request line and headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new Problem(408, 'REQUEST_TIMEOUT', 'the request took too long to arrive');
    default:
      return new Problem(400, 'BAD_REQUEST', 'the request could not be read');
  }
}

export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // The peer is gone (or the answer already started): nothing can be written.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem = clientErrorProblem(error);
  const document = problemDocument(problem);
  const body = JSON.stringify(document);
  socket.end(
    [
      `HTTP/1.1 ${problem.status} ${String(document.title)}`,
      'Content-Type: application/problem+json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Cache-Control: no-store',
      'X-Content-Type-Options: nosniff',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/** The app's HTTP server, with parser-level refusals answered as problem+json. */
export function createHttpServer(app: Express): Server {
  const server = createServer(app);
  server.on('clientError', answerClientError);
  return server;
}
