import { type RequestHandler } from 'express';
import { Problem } from './problems';

/** The media types a request body may have: JSON, with or without a charset, or a `+json` suffix type. */
export const jsonMediaTypes = ['application/json', 'application/*+json'];

const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A body limit as `BODY_LIMIT` writes it (`512kb`, `1mb`, or bytes) in bytes, the way body-parser counts them. */
export function byteLimit(limit: string | number): number {
  if (typeof limit === 'number') return Math.floor(limit);
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!match) throw new Error(`not a byte size: ${limit}`);
  return Math.floor(Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]!);
}

/**
 * A request carries a body when it says so: a `Transfer-Encoding`, or a `Content-Length` above zero.
 * A request without one (`Content-Length: 0`, or neither header) is read as `{}` by the routes.
 */
function declaresBody(headers: { 'transfer-encoding'?: string; 'content-length'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * Refuses a body before a byte of it is read: one whose declared `Content-Length` is over the limit
 * (413 `BODY_TOO_LARGE`), and any body that is not JSON (415 `UNSUPPORTED_MEDIA_TYPE`; a missing
 * `Content-Type` included, so a command never runs on a body it could not read). The 413 closes the
 * connection, so the unread rest of the body is never received.
 */
export function bodyGuard(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      res.setHeader('Connection', 'close');
      return next(new Problem(413, 'BODY_TOO_LARGE', 'the request body is too large'));
    }
    if (declaresBody(req.headers) && !req.is(jsonMediaTypes)) {
      // A body of declared size within the limit is discarded by Node after the answer, keeping the
      // connection: closing it under a client still sending would reset it before it reads the 415.
      // A chunked body has no size to trust: that connection closes.
      if (!Number.isFinite(declared)) res.setHeader('Connection', 'close');
      return next(new Problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
    }
    next();
  };
}
