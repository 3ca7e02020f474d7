import type { NotificationChannelName, NotificationEventV1 } from '@btc-research/contracts';
import { DEFAULT_DRAWDOWN_THRESHOLD, loadStrategyConfig, type NotificationsConfig } from '@btc-research/engine';
import type { Logger, StrategyStore } from '@btc-research/platform';

const DEFAULTS: NotificationsConfig = { enabled: true, channels: undefined, events: undefined, drawdownThreshold: DEFAULT_DRAWDOWN_THRESHOLD };

/**
 * Which channels an event goes to: the channels configured by environment, narrowed by the
 * strategy's `notifications:` section (enabled, channels, events). System-wide events (the feed)
 * go to every configured channel. A strategy's section is read from the YAML it runs with.
 */
export class NotificationRouting {
  private readonly sections = new Map<string, { yaml: string; section: NotificationsConfig }>();

  constructor(
    private readonly store: StrategyStore,
    private readonly configured: readonly NotificationChannelName[],
    private readonly logger: Logger,
  ) {}

  async channelsFor(event: NotificationEventV1): Promise<NotificationChannelName[]> {
    if (event.strategyId === null) return [...this.configured];
    const section = await this.sectionOf(event.strategyId);
    if (!section.enabled) return [];
    if (section.events !== undefined && !section.events.includes(event.type)) return [];
    return this.configured.filter((c) => section.channels === undefined || section.channels.includes(c));
  }

  async drawdownThreshold(strategyId: string): Promise<number> {
    return (await this.sectionOf(strategyId)).drawdownThreshold;
  }

  private async sectionOf(strategyId: string): Promise<NotificationsConfig> {
    const record = await this.store.getStrategy(strategyId);
    if (!record) return DEFAULTS;
    const cached = this.sections.get(strategyId);
    if (cached && cached.yaml === record.configYaml) return cached.section;
    const loaded = loadStrategyConfig(record.configYaml, record.configName);
    // a strategy runs only with a valid config; should one not load, its events still go out with the defaults
    if (!loaded.ok) this.logger.warn({ strategyId, errors: loaded.errors.length }, 'strategy config does not load; notifications use the defaults');
    const section = (loaded.ok ? loaded.config.notifications : undefined) ?? DEFAULTS;
    this.sections.set(strategyId, { yaml: record.configYaml, section });
    return section;
  }
}
