import { type EventState } from './state';

/**
 * State carried across continue-as-new by an older version of the workflow
 * may lack fields added since. Fill them with their neutral value, so a
 * running event picks up new capabilities without breaking.
 */
export function upgradeState(state: EventState): EventState {
  return { ...state, delegations: state.delegations ?? [] };
}
