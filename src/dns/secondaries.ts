import { Notifier } from "./notify.js";
import { type Secondary, type TransferLog, transferHook, ZoneTransfers } from "./transfer.js";
import type { TsigKey } from "./tsig.js";
import { canonicalName, type Zone, type ZoneSet } from "./zone.js";

export interface SecondariesOptions {
  zones: ZoneSet;
  /** MFD_DNS_SECONDARIES: the only addresses allowed to transfer, and the ones notified. */
  secondaries: readonly Secondary[];
  /** MFD_DNS_TSIG_KEY: when set, transfers must be signed with it and NOTIFY is signed with it. */
  key: TsigKey | null;
  log?: TransferLog;
}

/**
 * Secondaries of the `dns` role in one piece: the server's `onTransfer` hook, and `setZone` /
 * `deleteZone` to change the ZoneSet through, so each change is kept for IXFR and notified.
 */
export function createSecondaries(options: SecondariesOptions) {
  const transfers = new ZoneTransfers(options);
  const notifier = new Notifier(options);
  /** The zone at `origin` was replaced by `next` (already in the ZoneSet), or dropped when `next` is undefined. */
  const zoneChanged = (previous: Zone | undefined, next: Zone | undefined): void => {
    if (!next) {
      if (!previous) return;
      const origin = canonicalName(previous.origin);
      transfers.zoneDeleted(origin);
      // Retrying a NOTIFY for a zone we no longer serve would only make the secondary ask in vain.
      notifier.zoneDeleted(origin);
      return;
    }
    transfers.zoneChanged(previous, next);
    // A zone new to us is new to the secondaries too: they must be configured for it before a
    // NOTIFY means anything to them, and they transfer it when they are.
    if (previous && previous.serial !== next.serial) {
      const origin = canonicalName(next.origin);
      notifier.zoneChanged(
        origin,
        next.records.find((r) => r.type === "SOA" && r.name === origin),
      );
    }
  };
  return {
    onTransfer: transferHook(transfers),
    /**
     * For code that swaps zones into the ZoneSet itself (the `dns` role's ZoneSync): keeps the
     * difference for IXFR and notifies a changed serial.
     */
    zoneChanged,
    /** Serves `zone` from now on; a changed serial of a zone served before is notified. */
    setZone(zone: Zone): void {
      const previous = options.zones.get(zone.origin);
      options.zones.set(zone);
      zoneChanged(previous, zone);
    },
    deleteZone(origin: string): void {
      const previous = options.zones.get(origin);
      options.zones.delete(origin);
      zoneChanged(previous, undefined);
    },
    /** Notifies every zone in the ZoneSet once: call when the server starts, with its zones loaded. */
    zonesLoaded(): void {
      const { zones } = options;
      function* served() {
        for (const origin of zones.origins()) yield { origin, soa: zones.findIndexed(origin)?.soa };
      }
      notifier.zonesLoaded(served, zones.size);
    },
    /** Waits for the NOTIFYs sent so far to be acknowledged or given up. */
    settled: () => notifier.settled(),
    close: () => notifier.close(),
  };
}

export type Secondaries = ReturnType<typeof createSecondaries>;
