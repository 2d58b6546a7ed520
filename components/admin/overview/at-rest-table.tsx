import type { StoreProtection } from "@/lib/admin/at-rest";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";

const VOLUME_LABEL = {
  "dm-crypt": "Encrypted volume (dm-crypt)",
  "not-detected": "No encrypted volume detected",
  unknown: "Cannot tell from here",
} as const;

/** Per store: who encrypts it, and what the volume under it is, as far as this server can see. */
export function AtRestTable({ stores }: { stores: StoreProtection[] }) {
  return (
    <div className="overflow-x-auto">
      <Table data-testid="overview-at-rest">
        <thead>
          <tr>
            <Th>Store</Th>
            <Th>Encrypted by</Th>
            <Th>Volume</Th>
          </tr>
        </thead>
        <tbody>
          {stores.map((s) => (
            <tr key={s.store} data-testid={`overview-at-rest-${s.store}`} data-encrypted-by={s.encryptedBy}>
              <RowHeader>
                {s.label}
                <div className="break-all font-mono text-xs text-gray-700 dark:text-gray-300">{s.location}</div>
              </RowHeader>
              <Td>
                <span className="font-medium">
                  {s.encryptedBy === "application" ? "The application" : "The volume only"}
                </span>
                <div className="text-xs text-gray-800 dark:text-gray-200">{s.how}</div>
              </Td>
              <Td data-testid={`overview-volume-${s.store}`} data-volume={s.volume?.encryption ?? "none"}>
                {s.volume ? (
                  <>
                    <span className="font-medium">{VOLUME_LABEL[s.volume.encryption]}</span>
                    <div className="text-xs text-gray-800 dark:text-gray-200">{s.volume.detail}</div>
                  </>
                ) : (
                  <span className="text-gray-800 dark:text-gray-200">Not a local path</span>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
