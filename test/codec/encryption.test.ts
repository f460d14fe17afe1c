import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  createEncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../codec/encryption';
import { ConfigError, dataConverterOf, parseConfig, temporalConfigSchema } from '../../config/temporal';

const text = new TextDecoder();
const metadataOf = (payload: Payload, name: string) => {
  const value = payload.metadata?.[name];
  return value ? text.decode(value) : undefined;
};
const contains = (haystack: Uint8Array, needle: string) => Buffer.from(haystack).includes(Buffer.from(needle, 'utf8'));

const note = { itemId: 'plan.master', note: 'Kế hoạch tổng thể đã được ban hành — mật khẩu kiểm thử' };
const toPayloads = (...values: unknown[]) => values.map((value) => defaultPayloadConverter.toPayload(value));
const fromPayloads = (payloads: Payload[]) => payloads.map((payload) => defaultPayloadConverter.fromPayload(payload));

describe('the payload encryption codec', () => {
  const keys = { k1: randomBytes(32), k2: randomBytes(32) };

  it('round-trips JSON payloads, Vietnamese text included, through ciphertext that hides them', async () => {
    const codec = createEncryptionCodec({ keys, currentKeyId: 'k1' });
    const values = [note, 'Lê Thị Mai', 42, null, undefined];
    const encoded = await codec.encode(toPayloads(...values));
    expect(encoded).toHaveLength(values.length);
    for (const payload of encoded) {
      expect(metadataOf(payload, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(metadataOf(payload, KEY_ID_METADATA)).toBe('k1');
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    }
    expect(contains(encoded[0]!.data!, 'Kế hoạch')).toBe(false);
    expect(contains(encoded[0]!.data!, 'json/plain')).toBe(false);
    expect(fromPayloads(await codec.decode(encoded))).toEqual(values);
  });

  it('gives different ciphertext for the same plaintext each time (a fresh IV per payload)', async () => {
    const codec = createEncryptionCodec({ keys, currentKeyId: 'k1' });
    const [first, second] = await codec.encode(toPayloads(note, note));
    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
    expect(Buffer.from(first!.data!.subarray(0, 12)).equals(Buffer.from(second!.data!.subarray(0, 12)))).toBe(false);
  });

  it('still decodes payloads written under an old key after rotation, and writes new ones under the new key', async () => {
    const before = createEncryptionCodec({ keys: { k1: keys.k1 }, currentKeyId: 'k1' });
    const written = await before.encode(toPayloads(note));
    const after = createEncryptionCodec({ keys, currentKeyId: 'k2' });
    expect(fromPayloads(await after.decode(written))).toEqual([note]);
    const fresh = await after.encode(toPayloads(note));
    expect(metadataOf(fresh[0]!, KEY_ID_METADATA)).toBe('k2');
  });

  it('refuses a payload whose key id is not in the keyring, naming the id', async () => {
    const writer = createEncryptionCodec({ keys: { retired: randomBytes(32) }, currentKeyId: 'retired' });
    const reader = createEncryptionCodec({ keys, currentKeyId: 'k1' });
    const written = await writer.encode(toPayloads(note));
    const error = await reader.decode(written).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    expect((error as Error).message).toMatch(/key id "retired".*not among the configured keys/);
  });

  it.each([
    ['the IV', 0],
    ['the ciphertext', 20],
    ['the tag', -1],
  ])('refuses a payload with a tampered byte in %s instead of returning garbage', async (_where, offset) => {
    const codec = createEncryptionCodec({ keys, currentKeyId: 'k1' });
    const [payload] = await codec.encode(toPayloads(note));
    const data = Uint8Array.from(payload!.data!);
    const at = offset < 0 ? data.length + offset : offset;
    data[at] = data[at]! ^ 0x01;
    const error = await codec.decode([{ ...payload, data }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    expect((error as Error).message).toMatch(/failed authentication/);
  });

  it('refuses a payload relabelled to another key id of the keyring', async () => {
    const shared = randomBytes(32);
    const codec = createEncryptionCodec({ keys: { a: shared, b: shared }, currentKeyId: 'a' });
    const [payload] = await codec.encode(toPayloads(note));
    const relabelled = {
      ...payload,
      metadata: { ...payload!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('b') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow(PayloadDecryptionError);
  });

  it('passes payloads that were never encrypted through decode unchanged', async () => {
    const codec = createEncryptionCodec({ keys, currentKeyId: 'k1' });
    const plain = toPayloads(note, 'Tiny summit', undefined);
    const decoded = await codec.decode(plain);
    expect(decoded).toHaveLength(plain.length);
    decoded.forEach((payload, i) => expect(payload).toBe(plain[i]));
  });

  it('refuses to build with a current key id that is not among its keys', () => {
    expect(() => createEncryptionCodec({ keys, currentKeyId: 'k3' })).toThrow(/not among the keys/);
  });
});

describe('payload encryption configuration', () => {
  const key32 = randomBytes(32).toString('base64');
  const key31 = randomBytes(31).toString('base64');
  const problem = (env: Record<string, string>): string => {
    try {
      parseConfig(temporalConfigSchema, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('configuration was accepted');
  };

  it('is off when no keys are set (and there is no converter at all with compression off too)', () => {
    expect(dataConverterOf(parseConfig(temporalConfigSchema, {}))?.payloadCodecs).toHaveLength(1);
    expect(dataConverterOf(parseConfig(temporalConfigSchema, { PAYLOAD_COMPRESSION: 'off' }))).toBeUndefined();
  });

  it('builds an encrypting data converter from a keyring and a current key id', async () => {
    const config = parseConfig(temporalConfigSchema, {
      PAYLOAD_ENCRYPTION_KEYS: `2025-01:${randomBytes(32).toString('base64')}, 2026-01:${key32}`,
      PAYLOAD_ENCRYPTION_KEY_ID: '2026-01',
      PAYLOAD_COMPRESSION: 'off',
    });
    const [codec] = dataConverterOf(config)?.payloadCodecs ?? [];
    const [payload] = await codec!.encode(toPayloads(note));
    expect(metadataOf(payload!, KEY_ID_METADATA)).toBe('2026-01');
    expect(fromPayloads(await codec!.decode([payload!]))).toEqual([note]);
  });

  it('refuses a 31-byte key without printing it', () => {
    const message = problem({ PAYLOAD_ENCRYPTION_KEYS: `k1:${key31}`, PAYLOAD_ENCRYPTION_KEY_ID: 'k1' });
    expect(message).toMatch(/PAYLOAD_ENCRYPTION_KEYS: entry 1: .*31 bytes.*exactly 32/);
    expect(message).not.toContain(key31);
  });

  it('refuses a current key id that is not in the keyring without printing the keys', () => {
    const message = problem({ PAYLOAD_ENCRYPTION_KEYS: `k1:${key32}`, PAYLOAD_ENCRYPTION_KEY_ID: 'k2' });
    expect(message).toMatch(/PAYLOAD_ENCRYPTION_KEY_ID: names no key in PAYLOAD_ENCRYPTION_KEYS/);
    expect(message).not.toContain(key32);
  });

  it('refuses keys without a current key id, and a current key id without keys', () => {
    expect(problem({ PAYLOAD_ENCRYPTION_KEYS: `k1:${key32}` })).toMatch(/PAYLOAD_ENCRYPTION_KEY_ID: required/);
    expect(problem({ PAYLOAD_ENCRYPTION_KEY_ID: 'k1' })).toMatch(/PAYLOAD_ENCRYPTION_KEYS: .*no keys/);
  });

  it('lists every malformed entry by position, never echoing what was written', () => {
    const message = problem({
      PAYLOAD_ENCRYPTION_KEYS: `k1:${key32},k1:${key32},${key32},bad id:${key32},k5:not-base64!`,
      PAYLOAD_ENCRYPTION_KEY_ID: 'k1',
    });
    expect(message.split('\n').slice(1)).toEqual([
      '  PAYLOAD_ENCRYPTION_KEYS: entry 2: the key id is already used by entry 1',
      '  PAYLOAD_ENCRYPTION_KEYS: entry 3: expected keyId:base64key',
      '  PAYLOAD_ENCRYPTION_KEYS: entry 4: the key id must be 1 to 64 of A-Z a-z 0-9 . _ -',
      '  PAYLOAD_ENCRYPTION_KEYS: entry 5: the key is not base64 (generate one with `openssl rand -base64 32`)',
    ]);
    expect(message).not.toContain(key32);
  });
});
