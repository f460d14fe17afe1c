import { ensureTemporalCli, TemporalCliError } from './temporal-cli';

/** `npm run provision`: make sure a Temporal CLI is available before anything needs it. */
async function main(): Promise<void> {
  const cli = await ensureTemporalCli({ log: (line) => console.log(line) });
  if (cli.kind === 'path') {
    console.log(`Temporal CLI (${cli.source}): ${cli.path}`);
    console.log(`version: ${cli.version}`);
  } else {
    console.log('No Temporal CLI and no Go found: the dev server will use the SDK download (needs internet).');
  }
}

main().catch((error: unknown) => {
  // The message is written to be actionable; a stack trace would only bury it.
  const message = error instanceof TemporalCliError || error instanceof Error ? error.message : String(error);
  console.error(message);
  process.exit(1);
});
