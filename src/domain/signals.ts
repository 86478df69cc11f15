// Events the operators' metrics count, published on Node's diagnostics channels. The domain says
// what happened without knowing who listens; channels are global by name, so the server's metrics
// hear them from the pages' bundled copy of this code as well as from its own.
import { channel } from 'node:diagnostics_channel';

export interface LoginSignal {
  outcome: 'failed' | 'refused';
}

/** One provider call's outcome for the `count` deliveries it carried. */
export interface DeliverySignal {
  channel: string;
  outcome: 'sent' | 'retry' | 'rate-limited' | 'failed';
  count: number;
}

export const loginSignals = channel('candor:login');
export const deliverySignals = channel('candor:delivery');

export function signalLogin(outcome: LoginSignal['outcome']): void {
  if (loginSignals.hasSubscribers) loginSignals.publish({ outcome } satisfies LoginSignal);
}

export function signalDelivery(channelName: string, outcome: DeliverySignal['outcome'], count: number): void {
  if (deliverySignals.hasSubscribers)
    deliverySignals.publish({ channel: channelName, outcome, count } satisfies DeliverySignal);
}
