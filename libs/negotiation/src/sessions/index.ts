export * from './pairing';
export * from './briefs';
export * from './class-report';
