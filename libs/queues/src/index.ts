export * from './jobs';
export * from './redis';
export * from './registry';
export * from './emitter';
export * from './local-redis';
export * from './sequence';
export * from './producer';
export * from './metrics';
