export * from './market-book';
