import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const COMPRESSED_ENCODING = 'binary/gzip';
/** Below this size gzip's header costs more than it saves. */
export const DEFAULT_THRESHOLD_BYTES = 1024;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ProtoPayload = temporal.api.common.v1.Payload;

/**
 * Gzips large payloads (the event state carried across continue-as-new is
 * repetitive JSON that shrinks ~10×), so a big plan stays far below the
 * server's payload limits. The whole payload, metadata included, is
 * compressed; anything not marked as compressed passes through decode
 * unchanged, so histories written before compression stay readable.
 */
export function createCompressionCodec(options: { thresholdBytes?: number } = {}): PayloadCodec {
  const threshold = options.thresholdBytes ?? DEFAULT_THRESHOLD_BYTES;
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return Promise.all(
        payloads.map(async (payload) => {
          if ((payload.data?.length ?? 0) < threshold) return payload;
          const compressed = await gzipAsync(ProtoPayload.encode(payload).finish());
          return { metadata: { encoding: encoder.encode(COMPRESSED_ENCODING) }, data: new Uint8Array(compressed) };
        }),
      );
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return Promise.all(
        payloads.map(async (payload) => {
          const encoding = payload.metadata?.encoding;
          if (!encoding || decoder.decode(encoding) !== COMPRESSED_ENCODING) return payload;
          const raw = await gunzipAsync(payload.data ?? new Uint8Array());
          return ProtoPayload.decode(new Uint8Array(raw));
        }),
      );
    },
  };
}
