export * from './session-records';
export * from './session-push';
export * from './round-closer';
export * from './session.service';
export * from './session-reports';
