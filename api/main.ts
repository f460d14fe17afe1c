import { loadApiConfig } from './config';
import { startApi } from './server';

/** `npm run api`: the API alone, against the configured Temporal (scale it apart from the worker). */
async function main(): Promise<void> {
  const api = await startApi(loadApiConfig(process.env));
  const stop = () => {
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
