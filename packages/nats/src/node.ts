/**
 * Node-only entry of @lossflow/nats: connecting with the options production NATS users use.
 *
 * @packageDocumentation
 */
export * from './index.js';
