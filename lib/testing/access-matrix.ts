// The rows of the access-control matrix (lib/auth/access-matrix.test.ts): for every method of
// every route, the request each caller sends and the status each must get. "allowed" is any
// success; "past-guard" is any answer but 401 and 403, for a caller who may do it but sends a
// request the route then refuses on its merits (an empty body, an id that does not exist), so
// the matrix never changes what later rows read. A new route needs a row here or the test fails.

export const PRINCIPALS = [
  "anonymous",
  "noGrant",
  "granted",
  "outsider",
  "compliance",
  "admin",
  "disabled",
  "revoked",
  "expired",
] as const;
export type Principal = (typeof PRINCIPALS)[number];

export interface Fixture {
  ids: {
    adminId: string;
    grantedId: string;
    outsiderId: string;
    noGrantId: string;
    complianceId: string;
    disabledId: string;
    groupId: string;
    collectionId: string;
    secretCollectionId: string;
    grantId: string;
    conversationId: string;
    doomedConversationId: string;
    messageId: string;
  };
  docs: Record<"open" | "restricted" | "secret", { documentId: string; versionId: string; jobId: string }>;
}

type Outcome = number | "allowed" | "past-guard";
type Expect = Record<Principal, Outcome>;
type Req = { path: string; params?: Record<string, string | string[]>; body?: unknown };
export type Row = { exempt: string } | { request: (f: Fixture) => Req; expect: Expect };

const NOBODY = "00000000-0000-4000-8000-000000000000";
const DEAD = { anonymous: 401, disabled: 401, revoked: 401, expired: 401 } as const;

function everyone(outcome: Outcome): Expect {
  return Object.fromEntries(PRINCIPALS.map((p) => [p, outcome])) as Expect;
}
/** Signed-in callers get `live` unless named otherwise; callers without a live identity get 401. */
function live(outcome: Outcome, except: Partial<Expect> = {}): Expect {
  return {
    noGrant: outcome,
    granted: outcome,
    outsider: outcome,
    compliance: outcome,
    admin: outcome,
    ...DEAD,
    ...except,
  };
}
const adminOnly = (outcome: Outcome = "allowed") => live(403, { admin: outcome });
const complianceOnly = (outcome: Outcome = "allowed") => live(403, { compliance: outcome });
/** Readers of the restricted document only: everyone else is told it does not exist. */
const restrictedReaders = (outcome: Outcome = "allowed", except: Partial<Expect> = {}) =>
  live(404, { granted: outcome, ...except });

const row = (request: (f: Fixture) => Req, expect: Expect): Row => ({ request, expect });
const at = (path: string, params?: Req["params"], body?: unknown) => () => ({ path, params, body });

const catchAll = (base: string) =>
  Object.fromEntries(
    ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => [
      `${m} ${base}/[...path]`,
      row(at(`${base}/no/such/thing`, { path: ["no", "such", "thing"] }, m === "GET" ? undefined : {}), everyone(404)),
    ]),
  );

export const ROWS: Record<string, Row> = {
  ...catchAll("/api"),
  ...catchAll("/v1"),
  "GET /api/auth/[...nextauth]": { exempt: "Auth.js's own sign-in endpoints; e2e/admin-ui.spec.ts and oidc.spec.ts" },
  "POST /api/auth/[...nextauth]": { exempt: "Auth.js's own sign-in endpoints; e2e/admin-ui.spec.ts and oidc.spec.ts" },
  "GET /api/health": row(at("/api/health"), everyone(200)),
  // Prometheus's bearer token only; without METRICS_TOKEN the route is off, for keys and sessions alike.
  "GET /api/metrics": row(at("/api/metrics"), everyone(404)),
  "GET /api/me": row(at("/api/me"), live("allowed")),
  "GET /api/admin/overview": row(at("/api/admin/overview"), adminOnly()),
  "GET /api/aibom": row(at("/api/aibom"), adminOnly()),

  "GET /api/api-keys": row(at("/api/api-keys"), live("allowed")),
  // Only a browser session creates keys; every caller here holds a key.
  "POST /api/api-keys": row(at("/api/api-keys", {}, { name: "minted" }), live(403)),
  "DELETE /api/api-keys/[id]": row(at(`/api/api-keys/${NOBODY}`, { id: NOBODY }), live(404)),

  "GET /api/audit/events": row(at("/api/audit/events"), complianceOnly()),
  "GET /api/audit/events/[seq]": row(at("/api/audit/events/1", { seq: "1" }), complianceOnly()),
  "GET /api/audit/export": row(at("/api/audit/export?format=jsonl"), complianceOnly("past-guard")),
  "GET /api/audit/public-key": row(at("/api/audit/public-key"), complianceOnly()),
  "GET /api/audit/verify": row(at("/api/audit/verify"), complianceOnly()),
  "GET /api/audit/holds": row(at("/api/audit/holds"), complianceOnly()),
  "POST /api/audit/holds": row(at("/api/audit/holds", {}, {}), complianceOnly("past-guard")),
  "DELETE /api/audit/holds/[id]": row(at(`/api/audit/holds/${NOBODY}`, { id: NOBODY }), complianceOnly("past-guard")),

  "POST /api/chat": row(at("/api/chat", {}, {}), live("past-guard")),
  "GET /v1/models": row(at("/v1/models"), live("allowed")),
  "POST /v1/chat/completions": row(at("/v1/chat/completions", {}, {}), live("past-guard")),

  "GET /api/conversations": row(at("/api/conversations"), live("allowed")),
  "GET /api/conversations/[id]": row(
    (f) => ({ path: `/api/conversations/${f.ids.conversationId}`, params: { id: f.ids.conversationId } }),
    live(404, { granted: "allowed" }),
  ),
  "PATCH /api/conversations/[id]": row(
    (f) => ({
      path: `/api/conversations/${f.ids.conversationId}`,
      params: { id: f.ids.conversationId },
      body: { title: "Renamed" },
    }),
    live(404, { granted: "allowed" }),
  ),
  "DELETE /api/conversations/[id]": row(
    (f) => ({ path: `/api/conversations/${f.ids.doomedConversationId}`, params: { id: f.ids.doomedConversationId } }),
    live(404, { granted: "allowed" }),
  ),
  "POST /api/messages/[id]/feedback": row(
    (f) => ({
      path: `/api/messages/${f.ids.messageId}/feedback`,
      params: { id: f.ids.messageId },
      body: { rating: 1 },
    }),
    live(404, { granted: "allowed" }),
  ),

  "GET /api/collections": row(at("/api/collections"), live("allowed")),
  "POST /api/collections": row(at("/api/collections", {}, {}), adminOnly("past-guard")),
  "GET /api/collections/[id]": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}`, params: { id: f.ids.collectionId } }),
    live(404, { granted: "allowed", outsider: "allowed", admin: "allowed" }),
  ),
  "PATCH /api/collections/[id]": row(
    (f) => ({
      path: `/api/collections/${f.ids.collectionId}`,
      params: { id: f.ids.collectionId },
      body: { description: "Protocols" },
    }),
    // Name and description are administrators' to change, whoever else manages the collection.
    adminOnly(),
  ),
  // Without ?confirm=<name> the administrator is told to confirm; nothing is deleted.
  "DELETE /api/collections/[id]": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}`, params: { id: f.ids.collectionId } }),
    adminOnly("past-guard"),
  ),
  "GET /api/collections/[id]/documents": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}/documents`, params: { id: f.ids.collectionId } }),
    live(404, { granted: "allowed", outsider: "allowed", admin: "allowed" }),
  ),
  "POST /api/collections/[id]/documents": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}/documents`, params: { id: f.ids.collectionId }, body: {} }),
    live(404, { granted: 403, outsider: 403, admin: "past-guard" }),
  ),
  "GET /api/collections/[id]/grants": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}/grants`, params: { id: f.ids.collectionId } }),
    adminOnly(),
  ),
  "POST /api/collections/[id]/grants": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}/grants`, params: { id: f.ids.collectionId }, body: {} }),
    adminOnly("past-guard"),
  ),
  "DELETE /api/collections/[id]/grants/[grantId]": row(
    (f) => ({
      path: `/api/collections/${f.ids.collectionId}/grants/${NOBODY}`,
      params: { id: f.ids.collectionId, grantId: NOBODY },
    }),
    adminOnly("past-guard"),
  ),

  "GET /api/collections/[id]/evaluations": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}/evaluations`, params: { id: f.ids.collectionId } }),
    live(404, { granted: 403, outsider: 403, admin: "allowed" }),
  ),
  // These validate the body before deciding access, so an empty body is a 400 for everyone signed in.
  "POST /api/collections/[id]/evaluations": row(
    (f) => ({
      path: `/api/collections/${f.ids.collectionId}/evaluations`,
      params: { id: f.ids.collectionId },
      body: {},
    }),
    live(400),
  ),
  // These validate the body before deciding access, so an empty body is a 400 for everyone signed in.
  "PATCH /api/collections/[id]/evaluations": row(
    (f) => ({
      path: `/api/collections/${f.ids.collectionId}/evaluations`,
      params: { id: f.ids.collectionId },
      body: {},
    }),
    live(400),
  ),
  "DELETE /api/collections/[id]/evaluations/[caseId]": row(
    (f) => ({
      path: `/api/collections/${f.ids.collectionId}/evaluations/${NOBODY}`,
      params: { id: f.ids.collectionId, caseId: NOBODY },
    }),
    live(404, { granted: 403, outsider: 403, admin: "past-guard" }),
  ),
  "POST /api/collections/[id]/evaluations/runs": row(
    (f) => ({ path: `/api/collections/${f.ids.collectionId}/evaluations/runs`, params: { id: f.ids.collectionId } }),
    live(404, { granted: 403, outsider: 403, admin: "past-guard" }),
  ),
  "GET /api/documents/[id]/changes": row(
    (f) => ({
      path: `/api/documents/${f.docs.restricted.documentId}/changes`,
      params: { id: f.docs.restricted.documentId },
    }),
    live(404, { granted: "past-guard", admin: 403 }),
  ),
  "GET /api/documents/[id]": row(
    (f) => ({ path: `/api/documents/${f.docs.restricted.documentId}`, params: { id: f.docs.restricted.documentId } }),
    // Administrators see a document's record (they manage documents), never its text.
    restrictedReaders("allowed", { admin: "allowed" }),
  ),
  "PATCH /api/documents/[id]": row(
    (f) => ({
      path: `/api/documents/${f.docs.restricted.documentId}`,
      params: { id: f.docs.restricted.documentId },
      body: {},
    }),
    live(404, { granted: 403, outsider: 403, admin: "past-guard" }),
  ),
  "PATCH /api/documents/[id]/versions/[versionId]": row(
    (f) => ({
      path: `/api/documents/${f.docs.restricted.documentId}/versions/${f.docs.restricted.versionId}`,
      params: { id: f.docs.restricted.documentId, versionId: f.docs.restricted.versionId },
      body: {},
    }),
    live(404, { granted: 403, outsider: 403, admin: "past-guard" }),
  ),
  "DELETE /api/documents/[id]": row(at(`/api/documents/${NOBODY}`, { id: NOBODY }), live(404)),
  "GET /api/documents/[id]/file": row(
    (f) => ({
      path: `/api/documents/${f.docs.restricted.documentId}/file`,
      params: { id: f.docs.restricted.documentId },
    }),
    // Text needs a read grant, also for administrators: they are told so.
    restrictedReaders("allowed", { admin: 403 }),
  ),
  "GET /api/documents/[id]/passage": row(
    (f) => ({
      path: `/api/documents/${f.docs.restricted.documentId}/passage?version=${f.docs.restricted.versionId}&start=0&end=20`,
      params: { id: f.docs.restricted.documentId },
    }),
    // Text needs a read grant, also for administrators: they are told so.
    restrictedReaders("allowed", { admin: 403 }),
  ),
  "GET /api/jobs/[id]": row(
    (f) => ({ path: `/api/jobs/${f.docs.open.jobId}`, params: { id: f.docs.open.jobId } }),
    live(404, { admin: "allowed" }),
  ),

  "GET /api/groups": row(at("/api/groups"), adminOnly()),
  "POST /api/groups": row(at("/api/groups", {}, {}), adminOnly("past-guard")),
  "GET /api/groups/[id]": row(
    (f) => ({ path: `/api/groups/${f.ids.groupId}`, params: { id: f.ids.groupId } }),
    adminOnly(),
  ),
  "DELETE /api/groups/[id]": row(at(`/api/groups/${NOBODY}`, { id: NOBODY }), adminOnly("past-guard")),
  "POST /api/groups/[id]/members": row(
    (f) => ({ path: `/api/groups/${f.ids.groupId}/members`, params: { id: f.ids.groupId }, body: {} }),
    adminOnly("past-guard"),
  ),
  "DELETE /api/groups/[id]/members": row(
    (f) => ({ path: `/api/groups/${f.ids.groupId}/members`, params: { id: f.ids.groupId }, body: {} }),
    adminOnly("past-guard"),
  ),
  "DELETE /api/groups/[id]/members/[userId]": row(
    (f) => ({ path: `/api/groups/${f.ids.groupId}/members/${NOBODY}`, params: { id: f.ids.groupId, userId: NOBODY } }),
    adminOnly("past-guard"),
  ),

  "GET /api/review/items": row(at("/api/review/items"), complianceOnly()),
  "GET /api/review/items/[id]": row(at(`/api/review/items/${NOBODY}`, { id: NOBODY }), complianceOnly("past-guard")),
  "POST /api/review/items/[id]/resolution": row(
    at(`/api/review/items/${NOBODY}/resolution`, { id: NOBODY }, {}),
    complianceOnly("past-guard"),
  ),

  "GET /api/users": row(at("/api/users"), adminOnly()),
  "POST /api/users": row(at("/api/users", {}, {}), adminOnly("past-guard")),
  "GET /api/users/[id]": row(
    (f) => ({ path: `/api/users/${f.ids.grantedId}`, params: { id: f.ids.grantedId } }),
    adminOnly(),
  ),
  "PATCH /api/users/[id]": row(
    (f) => ({ path: `/api/users/${f.ids.grantedId}`, params: { id: f.ids.grantedId }, body: {} }),
    adminOnly("past-guard"),
  ),
};
