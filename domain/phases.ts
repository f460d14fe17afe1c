/** The lifecycle of an event, in order. `cancelled` can be entered from any phase before `closed`. */
export const phases = ['planning', 'preparation', 'rehearsal', 'readiness', 'live', 'review', 'closed'] as const;
export type LifecyclePhase = (typeof phases)[number];
export type Phase = LifecyclePhase | 'cancelled';

export function isTerminal(phase: Phase): boolean {
  return phase === 'closed' || phase === 'cancelled';
}

export function nextPhase(phase: LifecyclePhase): LifecyclePhase {
  return phases[Math.min(phases.indexOf(phase) + 1, phases.length - 1)] ?? 'closed';
}
