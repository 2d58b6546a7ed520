import "server-only";
import type { KeyStatus } from "@/lib/crypto/rotation";
import { checkVolume, type VolumeCheck, type VolumeProbeRoots } from "@/lib/storage/volume";

// What protects each store at rest, for the admin overview: whether the product encrypts it, or it
// relies on the volume (and, for a local path, whether that volume is a dm-crypt device).

/** Said on the page as it is: why two stores are not encrypted by the product. */
export const SEARCH_NEEDS_PLAINTEXT =
  "The database and the vector index cannot be encrypted by the application without losing search: " +
  "PostgreSQL must read its rows to filter and join, and LanceDB its vectors and full-text index to rank passages. " +
  "Put them on an encrypted volume (docs/encrypted-volume.md).";

export interface StoreProtection {
  store: "database" | "vectors" | "originals" | "backups";
  label: string;
  location: string;
  /** `application`: the product encrypts it; `volume`: it relies on the storage underneath. */
  encryptedBy: "application" | "volume";
  how: string;
  /** The volume under a local path; null for a server or object store this process cannot inspect. */
  volume: VolumeCheck | null;
}

export interface AtRestInput {
  database: { kind: "postgres" | "pglite"; location: string };
  vectors: { location: string; objectStore: boolean };
  originals: { location: string; objectStore?: boolean };
  /** `keys status`; an Error when the key cannot be read (the page says so instead of failing). */
  keys: KeyStatus | Error | null;
  /** The last `backup create` the audit trail records. */
  lastBackup?: { at: Date; archiveId: string } | null;
  roots?: VolumeProbeRoots;
}

function keyText(keys: AtRestInput["keys"]): string {
  if (keys === null) return "";
  if (keys instanceof Error) return ` The key-encryption key cannot be read: ${keys.message}`;
  const where =
    keys.managed === "file"
      ? `from ENCRYPTION_KEY_FILE (${keys.source})`
      : `generated in ${keys.source}, on the same volume as the files: keep it out of copies of DATA_DIR, or set ENCRYPTION_KEY_FILE`;
  const encrypted = keys.originals.reduce((n, o) => n + o.count, 0);
  const plain =
    keys.plainOriginals > 0
      ? ` ${keys.plainOriginals} stored in plain by an older release: run \`keys rotate\` to encrypt them.`
      : "";
  return ` Key ${keys.keyId}, ${where}; ${encrypted} original${encrypted === 1 ? "" : "s"} stored under it.${plain}`;
}

export async function storeProtection(input: AtRestInput): Promise<StoreProtection[]> {
  const local = (p: string) => checkVolume(p, input.roots);
  const [dbVolume, vectorVolume, filesVolume] = await Promise.all([
    input.database.kind === "pglite" ? local(input.database.location) : null,
    input.vectors.objectStore ? null : local(input.vectors.location),
    input.originals.objectStore ? null : local(input.originals.location),
  ]);
  return [
    {
      store: "database",
      label: input.database.kind === "pglite" ? "Database (embedded PGlite)" : "Database (PostgreSQL server)",
      location: input.database.location,
      encryptedBy: "volume",
      how:
        input.database.kind === "pglite"
          ? "Not encrypted by the application; relies on the volume under DATA_DIR."
          : "Not encrypted by the application; relies on the PostgreSQL server's storage, which cannot be inspected from here.",
      volume: dbVolume,
    },
    {
      store: "vectors",
      label: "Passages and vectors (LanceDB)",
      location: input.vectors.location,
      encryptedBy: "volume",
      how: input.vectors.objectStore
        ? "Not encrypted by the application; relies on the object store's server-side encryption."
        : "Not encrypted by the application; relies on the volume it is on.",
      volume: vectorVolume,
    },
    {
      store: "originals",
      label: "Original files",
      location: input.originals.location,
      encryptedBy: "application",
      how: `Encrypted by the application: AES-256-GCM with a data key per file, wrapped by the key-encryption key.${keyText(input.keys)}`,
      volume: filesVolume,
    },
    {
      store: "backups",
      label: "Backups",
      location: input.lastBackup
        ? `archives written by backup create --out; the last on ${input.lastBackup.at.toISOString()} (archive ${input.lastBackup.archiveId})`
        : "archives written by backup create --out; none recorded yet",
      encryptedBy: "application",
      how:
        "Encrypted by the application under the backup key given with --key-file (keep it apart from the archive). " +
        "A copy of DATA_DIR made any other way holds the database and the index in plain.",
      volume: null,
    },
  ];
}
