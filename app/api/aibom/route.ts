import { currentAiBom } from "@/lib/aibom/current";
import { CYCLONEDX_MEDIA_TYPE } from "@/lib/aibom/cyclonedx";
import { apiRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** The AI bill of materials as CycloneDX 1.6 JSON; `?download=1` asks the browser to save it. */
export const GET = apiRoute({ roles: "admin" }, async ({ req }) => {
  const bom = await currentAiBom();
  const headers: Record<string, string> = { "content-type": CYCLONEDX_MEDIA_TYPE, "cache-control": "no-store" };
  if (new URL(req.url).searchParams.get("download") === "1") {
    const day = bom.metadata.timestamp.slice(0, 10);
    headers["content-disposition"] =
      `attachment; filename="${bom.metadata.component.name}-${bom.metadata.component.version}-aibom-${day}.cdx.json"`;
  }
  return new Response(JSON.stringify(bom, null, 2), { headers });
});
