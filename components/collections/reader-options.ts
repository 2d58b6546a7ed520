import type { Role } from "@/db/schema";

export interface ReaderOption {
  value: string;
  label: string;
  /** The person filling in the form is among these readers, so they can ask about it at once. */
  includesYou: boolean;
}

/** Reader choices: each role, then each group, marked where the creator is one of them. */
export function readerOptions(roles: readonly Role[], groups: string[], you: { roles: Role[]; groups: string[] }) {
  return [
    ...roles.map((role) => ({
      value: `role:${role}`,
      label: `Everyone with the role ${role}`,
      includesYou: you.roles.includes(role),
    })),
    ...groups.map((group) => ({
      value: `group:${group}`,
      label: `Members of the group ${group}`,
      includesYou: you.groups.includes(group),
    })),
  ] satisfies ReaderOption[];
}
