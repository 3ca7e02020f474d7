export type {
  StrategyStore,
  StrategyRecord,
  StrategyState,
  TradeRecord,
  ParityCheckRecord,
  WarmupHistoryRecord,
  PositionRecord,
  EquityPoint,
  TradeQuery,
  TradePage,
  FillQualityRecord,
  OrderRecord,
  OrderQuery,
  StrategyEventRecord,
  SnapshotRecord,
  SnapshotLoad,
  MarketEventRecord,
  StrategyEffects,
  StrategyEffectsBatch,
  LeaseInfo,
  StartClaim,
  StartClaimRequest,
  BackupRecord,
  BackupCounts,
} from './strategy-store.js';
export { canonicalJson, snapshotChecksum } from './snapshot-checksum.js';
export { LIVE_STRATEGY_STATUSES } from './strategy-store.js';
export { isStoreEmpty } from './store-backup.js';
export { writeBackupFile, verifyBackupFile, readBackupFile, type BackupSummary } from './backup-file.js';
export { JsonStrategyStore, type JsonStrategyStoreOptions } from './json-strategy-store.js';
export { createStrategyStore, type CreateStrategyStoreOptions } from './create-strategy-store.js';
export { encodeTradeCursor, decodeTradeCursor, type TradeCursor } from './trade-cursor.js';
export { writeFileAtomic, JsonlFile } from './atomic-file.js';
export { PostgresStrategyStore, migrate, type PostgresStrategyStoreOptions } from './postgres-strategy-store.js';
export { STRATEGY_STORE_MIGRATIONS, type Migration } from './postgres-migrations.js';
export type { NotificationOutbox, OutboxDelivery, OutboxEnqueue, OutboxClaim, OutboxOutcome } from './notification-outbox.js';
