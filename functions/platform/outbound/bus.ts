/**
 * Variable naming the event bus (set by the stack, and by the local runtime for its router): a
 * function the topology lets publish has it. Apart from `publisher.ts`, so a module that only asks
 * whether its function publishes loads no EventBridge client.
 */
export const EVENT_BUS_ENV = 'HUB_EVENT_BUS';
