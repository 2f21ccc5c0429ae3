/** The workflows a coastcast worker runs: the bundle's entry point. */
export { forecastCycle } from './forecastCycle.js';
export { scheduledCycle } from './scheduledCycle.js';
export { retention } from './retention.js';
