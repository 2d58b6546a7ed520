import { tableClass, tdClass, thClass } from "@/components/ui/styles";
import type { StoreProtection } from "@/lib/admin/at-rest";

const VOLUME_LABEL = {
  "dm-crypt": "Encrypted volume (dm-crypt)",
  "not-detected": "No encrypted volume detected",
  unknown: "Cannot tell from here",
} as const;

/** Per store: who encrypts it, and what the volume under it is, as far as this server can see. */
export function AtRestTable({ stores }: { stores: StoreProtection[] }) {
  return (
    <div className="overflow-x-auto">
      <table className={tableClass} data-testid="overview-at-rest">
        <thead>
          <tr>
            <th scope="col" className={thClass}>
              Store
            </th>
            <th scope="col" className={thClass}>
              Encrypted by
            </th>
            <th scope="col" className={thClass}>
              Volume
            </th>
          </tr>
        </thead>
        <tbody>
          {stores.map((s) => (
            <tr key={s.store} data-testid={`overview-at-rest-${s.store}`} data-encrypted-by={s.encryptedBy}>
              <th scope="row" className={`${tdClass} font-normal`}>
                {s.label}
                <div className="break-all font-mono text-xs text-gray-700">{s.location}</div>
              </th>
              <td className={tdClass}>
                <span className="font-medium">
                  {s.encryptedBy === "application" ? "The application" : "The volume only"}
                </span>
                <div className="text-xs text-gray-800">{s.how}</div>
              </td>
              <td
                className={tdClass}
                data-testid={`overview-volume-${s.store}`}
                data-volume={s.volume?.encryption ?? "none"}
              >
                {s.volume ? (
                  <>
                    <span className="font-medium">{VOLUME_LABEL[s.volume.encryption]}</span>
                    <div className="text-xs text-gray-800">{s.volume.detail}</div>
                  </>
                ) : (
                  <span className="text-gray-800">Not a local path</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
