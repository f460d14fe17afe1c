import { Connection } from '@temporalio/client';
import { connectionOptions, parseConfig, temporalConfigSchema } from '../config/temporal';
import { searchAttributeBudgetUse } from '../workflows/search-attributes';
import { registerSearchAttributes } from './search-attributes';

/** `npm run register-search-attributes`: once per namespace of an external cluster (TEMPORAL_* settings). */
async function main(): Promise<void> {
  const config = parseConfig(temporalConfigSchema, process.env);
  const connection = await Connection.connect(connectionOptions(config));
  try {
    const report = await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    console.log(
      `namespace ${config.TEMPORAL_NAMESPACE}: added ${report.added.join(', ') || 'none'}; already present ${report.present.length}`,
    );
    const use = searchAttributeBudgetUse().filter((u) => u.used > 0);
    console.log(`budget (SQL visibility): ${use.map((u) => `${u.used}/${u.allowed} ${u.type}`).join(', ')}`);
    for (const c of report.conflicting)
      console.error(`conflict: ${c.name} is ${c.actual}, the engine needs ${c.expected}`);
    if (report.conflicting.length > 0) process.exitCode = 1;
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
