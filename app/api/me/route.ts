import { apiRoute } from "@/lib/auth/guards";

export const GET = apiRoute({}, async ({ actor }) => ({
  id: actor.id,
  email: actor.email,
  name: actor.name,
  roles: actor.roles,
  groups: actor.groups,
}));
