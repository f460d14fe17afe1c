import { randomUUID } from 'node:crypto';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSearchAttributes } from '../../scripts/search-attributes';
import { allSearchAttributeKeys } from '../../workflows/search-attributes';
import { connectTestTemporal, eventually, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

describe('registering search attributes on an external namespace', () => {
  it('adds every missing attribute to a fresh namespace, then finds them all present on a second run', async () => {
    const namespace = `ext-${randomUUID().slice(0, 8)}`;
    await temporal.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await eventually(
      () =>
        temporal.connection.workflowService.describeNamespace({ namespace }).then(
          () => true,
          () => false,
        ),
      (ok) => ok,
    );
    const first = await registerSearchAttributes(temporal.connection, namespace);
    expect(first.added.sort()).toEqual(allSearchAttributeKeys.map((k) => k.name).sort());
    const second = await registerSearchAttributes(temporal.connection, namespace);
    expect({ added: second.added, conflicting: second.conflicting }).toEqual({ added: [], conflicting: [] });
    expect(second.present).toHaveLength(allSearchAttributeKeys.length);
  });
});
