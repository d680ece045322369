export * from './events';
export * from './errors';
export * from './payloads';
export * from './domain';
export * from './views';
export * from './http';
export * from './sessions';
