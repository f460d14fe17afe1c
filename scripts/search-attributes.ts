import { type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { allSearchAttributeKeys } from '../workflows/search-attributes';

const indexedType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export interface RegistrationReport {
  added: string[];
  present: string[];
  /** Registered under the same name with another type: needs an operator's decision. */
  conflicting: { name: string; expected: string; actual: string }[];
}

/**
 * Registers the engine's search attributes in a namespace, adding only the
 * missing ones (registration is idempotent to run, and never changes a type).
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<RegistrationReport> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const report: RegistrationReport = { added: [], present: [], conflicting: [] };
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of allSearchAttributeKeys) {
    const want = indexedType[key.type]!;
    const have = custom[key.name];
    if (have === undefined) missing[key.name] = want;
    else if (have === want) report.present.push(key.name);
    else
      report.conflicting.push({
        name: key.name,
        expected: key.type,
        actual: temporal.api.enums.v1.IndexedValueType[have],
      });
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    report.added.push(...Object.keys(missing));
  }
  return report;
}
