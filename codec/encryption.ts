import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** Metadata `encoding` of a payload this codec wrote. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';
/** What a key id may look like: it is stored in clear in every payload's metadata. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const KEY_BYTES = 32;

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: false });

export interface EncryptionCodecOptions {
  /** Every key that may have written a payload still in history, by id. Each is 32 bytes (AES-256). */
  keys: Record<string, Uint8Array>;
  /** The key new payloads are encrypted with; one of `keys`. */
  currentKeyId: string;
}

/** A payload could not be decrypted: unknown key id, malformed, or its authentication tag did not verify. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/** Quoted for messages; an id of the wrong shape might be misplaced key text, so it is never echoed. */
const quoteKeyId = (id: string) => (KEY_ID_PATTERN.test(id) ? JSON.stringify(id) : '(malformed key id)');

/** Runs `fn` inside a promise, so a throw becomes a rejection as the SDK expects. */
const settle = <T>(fn: () => T): Promise<T> => new Promise<T>((resolve) => resolve(fn()));

/**
 * AES-256-GCM payload codec. Each payload is serialized whole (metadata and data, so the
 * original encoding is hidden too) and replaced by `{ encoding: binary/encrypted,
 * encryption-key-id }` with data `iv (12) | ciphertext | tag (16)`. The key id is bound as
 * additional authenticated data, so a payload relabelled to another key id does not decrypt.
 *
 * Decoding passes payloads of any other encoding through unchanged: histories written before
 * encryption was switched on stay readable. It never returns unauthenticated bytes: an unknown
 * key id or a failed tag throws {@link PayloadDecryptionError}.
 */
export function createEncryptionCodec(options: EncryptionCodecOptions): PayloadCodec {
  const keys = new Map<string, KeyObject>();
  for (const [id, key] of Object.entries(options.keys)) {
    if (!KEY_ID_PATTERN.test(id))
      throw new Error(`encryption key id ${quoteKeyId(id)} must match ${KEY_ID_PATTERN.source}`);
    if (key.byteLength !== KEY_BYTES) {
      throw new Error(`encryption key ${quoteKeyId(id)} must be ${KEY_BYTES} bytes, not ${key.byteLength}`);
    }
    keys.set(id, createSecretKey(key));
  }
  const currentKey = keys.get(options.currentKeyId);
  if (!currentKey)
    throw new Error(`the current encryption key id ${quoteKeyId(options.currentKeyId)} is not among the keys`);
  const currentKeyIdBytes = utf8.encode(options.currentKeyId);

  const encryptOne = (payload: Payload): Payload => {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, currentKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(currentKeyIdBytes);
    const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Uint8Array.from(currentKeyIdBytes) },
      data: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    };
  };

  const decryptOne = (payload: Payload): Payload => {
    const encoding = payload.metadata?.encoding;
    if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!keyIdBytes) throw new PayloadDecryptionError(`encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const keyId = fromUtf8.decode(keyIdBytes);
    const key = keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload was encrypted with key id ${quoteKeyId(keyId)}, which is not among the configured keys ` +
          '(keep retired keys in PAYLOAD_ENCRYPTION_KEYS while histories written with them exist)',
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`encrypted payload under key id ${quoteKeyId(keyId)} is truncated`);
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.byteLength - TAG_BYTES);
    const ciphertext = data.subarray(IV_BYTES, data.byteLength - TAG_BYTES);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(keyIdBytes);
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload under key id ${quoteKeyId(keyId)} failed authentication (tampered, or a different key under that id)`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  };

  return {
    encode: (payloads) => settle(() => payloads.map(encryptOne)),
    decode: (payloads) => settle(() => payloads.map(decryptOne)),
  };
}
