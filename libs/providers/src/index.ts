export * from './providers.module';
