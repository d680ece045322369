export * from './validate';
export * from './paths';
export * from './files';
export * from './teams';
export * from './passwords';
export * from './negotiations';
export * from './messages';
