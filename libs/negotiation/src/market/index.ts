export * from './design';
export * from './design-csv';
export * from './builtin-designs';
export * from './equilibrium';
export * from './profit';
export * from './honour';
