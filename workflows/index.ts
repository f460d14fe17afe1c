export { eventWorkflow } from './event';
