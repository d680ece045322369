/** Injection tokens for the values that have no class of their own (ParleyConfig is an interface, a pino Logger a function). */
export const CONFIG = 'PARLEY_CONFIG';
export const LOGGER = 'PARLEY_LOGGER';
