import type { MarketFeedStatusV1 } from '@btc-research/contracts';

/** A running market-data source. Every source publishes through MarketPublisher. */
export interface MarketSource {
  readonly name: MarketFeedStatusV1['source'];
  status(): MarketFeedStatusV1;
  /** resolves when the source has nothing more to publish (replay end) or was stopped */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}
