export * from './market-book';
export * from './market-opener';
