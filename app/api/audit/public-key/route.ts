import { apiRoute } from "@/lib/auth/guards";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { env } from "@/lib/env";

/** The key exports are signed with, for `audit verify-export --public-key`. */
export const GET = apiRoute({ roles: "compliance" }, async () => {
  const key = loadSigningKey(env());
  return { algorithm: "Ed25519", publicKeyPem: key.publicKeyPem, fingerprint: key.fingerprint };
});
