export {
  ErrorCode,
  AppError,
  ValidationError,
  NotFoundError,
  ConflictError,
  UpstreamUnavailableError,
  ConfigError,
  DataCorruptedError,
  MarketDataGapError,
  isAppError,
  type AppErrorOptions,
} from './errors.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { envStr, envOptStr, envInt, envBool, type EnvRecord, type EnvIntOptions } from './env.js';
export { readMarketLogRetentionMs } from './config/market-log-retention.js';
export {
  createLogger,
  configureLogging,
  REDACTED_PATHS,
  type Logger,
  type LogLevel,
  type LoggingOptions,
  type CreateLoggerOptions,
} from './logger.js';
export {
  runService,
  closeInOrder,
  EXIT_CONFIG,
  EXIT_FAILURE,
  FORCE_EXIT_MS,
  FAILED_START_EXIT_MS,
  DUPLICATE_SIGNAL_MS,
  SERVICE_STARTED_MESSAGE,
  type Own,
  type Closable,
  type ServiceProcess,
  type RunServiceOptions,
} from './lifecycle.js';
export type { MessageBus, BusEntry, ConsumeOptions, BatchHandler, Subscription } from './bus/message-bus.js';
export { InProcessBus, type InProcessBusOptions } from './bus/in-process-bus.js';
export { BUS_DEFAULTS, type BusTuning } from './bus/bus-tuning.js';
export { RedisBus, type RedisBusOptions } from './bus/redis-bus.js';
export { REDIS_DISCONNECT_TIMEOUT_MS } from './bus/redis-client-options.js';
export { createBus, openBus, type CreateBusOptions } from './bus/create-bus.js';
export type { EnvelopeWriter, WriterOptions } from './bus/envelope-writer.js';
export { RespStreamWriter, type RespStreamWriterOptions } from './bus/resp-stream-writer.js';
export { parseRedisUrl, describeRedisEndpoint, type RedisEndpoint } from './bus/redis-url.js';
export { waitForDependency, withinTime, isUnreachableError, DEPENDENCY_WAIT_MS, type WaitForDependencyOptions } from './dependency-wait.js';
export {
  decodeRawEntry,
  encodeForPublish,
  envelopeFields,
  type RawStreamAccess,
  type RawStreamEntry,
  type RawDecodeResult,
} from './bus/raw-entry.js';
export { parseStreamId, formatStreamId, compareStreamIds, nextStreamId, type StreamId } from './bus/stream-id.js';
export {
  JsonStrategyStore,
  PostgresStrategyStore,
  migrate,
  STRATEGY_STORE_MIGRATIONS,
  createStrategyStore,
  encodeTradeCursor,
  decodeTradeCursor,
  writeFileAtomic,
  JsonlFile,
  type JsonStrategyStoreOptions,
  type PostgresStrategyStoreOptions,
  type Migration,
  type CreateStrategyStoreOptions,
  type TradeCursor,
  type StrategyStore,
  type StrategyRecord,
  type StrategyState,
  type TradeRecord,
  type ParityCheckRecord,
  type WarmupHistoryRecord,
  type PositionRecord,
  type EquityPoint,
  type TradeQuery,
  type TradePage,
  type FillQualityRecord,
  type OrderRecord,
  type OrderQuery,
  type StrategyEventRecord,
  type SnapshotRecord,
  type SnapshotLoad,
  type MarketEventRecord,
  type StrategyEffects,
  type StrategyEffectsBatch,
  type LeaseInfo,
  canonicalJson,
  type StartClaim,
  type StartClaimRequest,
  type BackupRecord,
  type BackupCounts,
  type BackupSummary,
  LIVE_STRATEGY_STATUSES,
  isStoreEmpty,
  writeBackupFile,
  verifyBackupFile,
  readBackupFile,
  snapshotChecksum,
  type NotificationOutbox,
  type OutboxDelivery,
  type OutboxEnqueue,
  type OutboxClaim,
  type OutboxOutcome,
} from './storage/index.js';
export { waitFor, type WaitForOptions } from './testing/wait-for.js';
export { freePort } from './testing/free-port.js';
export { simulatedFeedStatus } from './testing/feed-status.js';
export { readNotificationSettings, createNotificationChannels, DEFAULT_RATE_PER_MINUTE, type NotificationSettings } from './config/notifications.js';
export { type NotificationChannel, type SendResult, redactUrl, chatText } from './notifications/channel.js';
export { WebhookChannel, webhookSignature, TIMESTAMP_HEADER, SIGNATURE_HEADER, EVENT_ID_HEADER } from './notifications/webhook-channel.js';
export { TelegramChannel, DEFAULT_TELEGRAM_API_URL } from './notifications/telegram-channel.js';
export { SlackChannel } from './notifications/slack-channel.js';
export { DiscordChannel } from './notifications/discord-channel.js';
export { NotificationDispatcher, type NotificationDispatcherOptions } from './notifications/notification-dispatcher.js';
export { startReceiver, replies, verifyWebhookSignature, type LocalReceiver, type ReceivedRequest, type ReceiverReply } from './testing/notification-receivers.js';
export { loadStrategyHistory, type StrategyHistory } from './storage/strategy-history.js';
export { firstLogCandleOpenTime, warmupEntries } from './storage/warmup-entries.js';
