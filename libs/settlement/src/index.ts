export * from './types';
export * from './decision';
export * from './settlement';
export * from './sweep';
