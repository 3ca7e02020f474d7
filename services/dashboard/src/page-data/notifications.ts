import type { NotificationChannelsResponse } from '@btc-research/contracts';
import { isAuthError, messageOf } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';

/** how many recent deliveries the page lists */
const RECENT_DELIVERIES = 50;

export interface NotificationsData {
  /** channels and recent deliveries; null with `notificationsError` when the API could not say */
  notifications: NotificationChannelsResponse | null;
  notificationsError: string | null;
}

/** Where notifications go (channels configured by environment, secrets redacted) and what became of the latest. */
export async function loadNotifications(api: ApiClient, auth?: ApiAuth): Promise<NotificationsData> {
  try {
    return { notifications: await api.read(endpoints.notificationChannels(RECENT_DELIVERIES), auth), notificationsError: null };
  } catch (err) {
    if (isAuthError(err)) throw err;
    return { notifications: null, notificationsError: messageOf(err) };
  }
}
