/** What an operator sees of a running outbound flow (RunningBridge.outbound, /readyz). */
export interface OutboundState {
  name: string;
  state: 'starting' | 'running' | 'retrying' | 'disabled' | 'stopped' | 'failed';
  /** Every change up to this seq is delivered, dead-lettered or not the flow's. */
  position: number;
  /** Messages sent and not yet settled. */
  inFlight: number;
  delivered: number;
  deadLettered: number;
  suppressed: number;
  lastDelivery?: { messageId: string; at: string };
  lastError?: string;
  /** Why the flow is disabled (its endpoint answered gone). */
  disabledReason?: string;
}

export function initialOutboundState(name: string, enabled: boolean): OutboundState {
  return { name, state: enabled ? 'starting' : 'stopped', position: 0, inFlight: 0, delivered: 0, deadLettered: 0, suppressed: 0 };
}
