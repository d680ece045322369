export * from './ai-reply.service';
export * from './write-lock';
export * from './usage';
