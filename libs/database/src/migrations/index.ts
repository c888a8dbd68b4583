/**
 * Every migration, in order. A reviewed file is added here by hand after
 * `npm run migration:generate -- <Name>` writes it (no globs: they break under bundlers
 * and test transformers).
 */
export const MIGRATIONS: Function[] = [];
