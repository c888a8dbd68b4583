import { CreateTransparency1764300000000 } from './1764300000000-CreateTransparency';
import { CreateAuditRecords1764300000600 } from './1764300000600-CreateAuditRecords';
import { CreateIdentity1764310000000 } from './1764310000000-CreateIdentity';
import { IdentityHardening1764400000000 } from './1764400000000-IdentityHardening';
import { KeyAuditChain1764410000000 } from './1764410000000-KeyAuditChain';
import { CreateStreamEvents1764420000000 } from './1764420000000-CreateStreamEvents';
import { ListPageIndexes1764430000000 } from './1764430000000-ListPageIndexes';
import { TradeDailyCounts1764440000000 } from './1764440000000-TradeDailyCounts';
/**
 * Every migration, in order. A reviewed file is added here by hand after
 * `npm run migration:generate -- <Name>` writes it (no globs: they break under bundlers
 * and test transformers).
 */
export const MIGRATIONS: Function[] = [
  CreateTransparency1764300000000,
  CreateAuditRecords1764300000600,
  CreateIdentity1764310000000,
  IdentityHardening1764400000000,
  KeyAuditChain1764410000000,
  CreateStreamEvents1764420000000,
  ListPageIndexes1764430000000,
  TradeDailyCounts1764440000000,
];
