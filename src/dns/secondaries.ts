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
  return {
    onTransfer: transferHook(transfers),
    /** Serves `zone` from now on; a changed serial of a zone served before is notified. */
    setZone(zone: Zone): void {
      const previous = options.zones.get(zone.origin);
      transfers.zoneChanged(previous, zone);
      options.zones.set(zone);
      // A zone new to us is new to the secondaries too: they must be configured for it before a
      // NOTIFY means anything to them, and they transfer it when they are.
      if (previous && previous.serial !== zone.serial) {
        const origin = canonicalName(zone.origin);
        notifier.zoneChanged(
          origin,
          zone.records.find((r) => r.type === "SOA" && r.name === origin),
        );
      }
    },
    deleteZone(origin: string): void {
      options.zones.delete(origin);
      transfers.zoneDeleted(origin);
    },
    /** Waits for the NOTIFYs sent so far to be acknowledged or given up. */
    settled: () => notifier.settled(),
    close: () => notifier.close(),
  };
}

export type Secondaries = ReturnType<typeof createSecondaries>;
