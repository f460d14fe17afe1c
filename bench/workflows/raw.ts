import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** The baseline: a workflow whose update does nothing but count. */
export const incrementUpdate = defineUpdate<number, [number]>('increment');

export async function rawCounterWorkflow(): Promise<void> {
  let total = 0;
  setHandler(incrementUpdate, (by) => (total += by));
  await condition(() => false);
}
