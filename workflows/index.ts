export { eventWorkflow } from './event';
export { programWorkflow } from './program';
