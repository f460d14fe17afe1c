import { type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { COMPRESSED_ENCODING, createCompressionCodec } from '../../codec/compression';
import { ENCRYPTED_ENCODING } from '../../codec/encryption';
import { dataConverterOf } from '../../config/temporal';

const json = (value: unknown): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});
const encodingOf = (p: Payload) => new TextDecoder().decode(p.metadata!.encoding);
/** Decoded payloads are protobuf instances: compare what they carry. */
const plain = (p: Payload) => ({ encoding: encodingOf(p), data: Buffer.from(p.data!).toString('utf8') });
const bigState = {
  items: Object.fromEntries(
    Array.from({ length: 2000 }, (_, i) => [
      `gen.item-${i}`,
      { status: 'done', due: '2027-04-23T10:00:00.000Z', completedBy: 'office.mai' },
    ]),
  ),
};

describe('payload compression', () => {
  it('gzips a large payload to a fraction of its size and restores it exactly, Vietnamese text included', async () => {
    const codec = createCompressionCodec();
    const original = json({ ...bigState, note: 'Đã hoàn thành kế hoạch bảo vệ' });
    const [encoded] = await codec.encode([original]);
    expect(encodingOf(encoded!)).toBe(COMPRESSED_ENCODING);
    expect(encoded!.data!.length).toBeLessThan(original.data!.length / 5);
    const [decoded] = await codec.decode([encoded!]);
    expect(plain(decoded!)).toEqual(plain(original));
  });

  it('leaves small payloads as they are', async () => {
    const small = json({ ok: true });
    expect(await createCompressionCodec().encode([small])).toEqual([small]);
  });

  it('passes payloads written before compression through decode unchanged', async () => {
    const old = json(bigState);
    expect(await createCompressionCodec().decode([old])).toEqual([old]);
  });

  it('compresses before encrypting when both are on, and decodes back to the original', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const converter = dataConverterOf({
      PAYLOAD_COMPRESSION: 'gzip',
      PAYLOAD_ENCRYPTION_KEYS: `k1:${key}`,
      PAYLOAD_ENCRYPTION_KEY_ID: 'k1',
    });
    const codecs = converter!.payloadCodecs!;
    const original = json(bigState);
    let payloads = [original];
    for (const codec of codecs) payloads = await codec.encode(payloads);
    expect(encodingOf(payloads[0]!)).toBe(ENCRYPTED_ENCODING);
    // Ciphertext of the compressed form: far smaller than the plaintext.
    expect(payloads[0]!.data!.length).toBeLessThan(original.data!.length / 5);
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    expect(payloads.map(plain)).toEqual([plain(original)]);
  });
});
