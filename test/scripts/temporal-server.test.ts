import net from 'node:net';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { startTemporalDevServer } from '../../scripts/temporal-server';
import { allSearchAttributeKeys } from '../../workflows/search-attributes';

// The SDK's SearchAttributeType names ('KEYWORD_LIST', …) are the proto enum's names minus its prefix.
const { IndexedValueType } = temporal.api.enums.v1;

function canConnect(address: string): Promise<boolean> {
  const { hostname: host, port } = new URL(`http://${address}`);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startTemporalDevServer', () => {
  it('starts a headless in-memory server with every search attribute registered, and closes its port on stop', async () => {
    const server = await startTemporalDevServer({ uiPort: false });
    try {
      expect(server.uiUrl).toBeUndefined();
      const connection = await Connection.connect({ address: server.address });
      try {
        const described = await connection.workflowService.describeNamespace({ namespace: server.namespace });
        expect(described.namespaceInfo?.name).toBe('default');

        const { customAttributes } = await connection.operatorService.listSearchAttributes({
          namespace: server.namespace,
        });
        for (const key of allSearchAttributeKeys) {
          expect(customAttributes?.[key.name], key.name).toBe(IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]);
        }
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }

    expect(await canConnect(server.address)).toBe(false);
    await server.stop(); // idempotent
  });
});
