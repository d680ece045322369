export * from './config';
export * from './logger';
export * from './tokens';
export * from './startup';
