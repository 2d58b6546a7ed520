import type { Metadata } from "next";
import { ACCESS_LABELS } from "@/components/collections/access-label";
import { CreateCollectionForm } from "@/components/collections/create-collection-form";
import { readerOptions } from "@/components/collections/reader-options";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireUser } from "@/lib/auth/guards";
import { listCollectionsFor } from "@/lib/collections/listing";
import { listAllGroups } from "@/lib/groups/admin";
import { ROLES } from "@/lib/users/schemas";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Collections" };

/** Granted collections for everyone; administrators also see the rest, which they manage without reading. */
export default async function CollectionsPage() {
  const actor = await requireUser();
  const isAdmin = actor.roles.includes("admin");
  const db = await getDb();
  const [rows, groups] = await Promise.all([listCollectionsFor(db, actor), isAdmin ? listAllGroups(db) : []]);
  const readers = readerOptions(
    ROLES,
    groups.map((g) => g.name),
    { roles: actor.roles, groups: actor.groups.map((g) => g.name) },
  );

  return (
    <div>
      <h1 className={h1Class}>Collections</h1>
      <p className="mt-2 text-sm text-gray-800 dark:text-gray-200">
        A collection is a set of documents that answers are written from. You see the collections you have been given
        access to.
      </p>

      <section aria-labelledby="collections-heading" className={sectionClass}>
        <h2 id="collections-heading" className={h2Class}>
          {isAdmin ? "All collections" : "Your collections"} ({rows.length})
        </h2>
        {rows.length === 0 ? (
          <p className="text-sm" data-testid="collections-empty">
            {isAdmin
              ? "There are no collections yet. Create a collection below, upload documents to it, then grant groups or roles access."
              : "You have no collections yet. Ask an administrator for access to the collections you need."}
          </p>
        ) : (
          <div className="overflow-x-auto">
            <Table data-testid="collections-table">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Description</Th>
                  <Th className="text-right">Documents</Th>
                  <Th>Your access</Th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} data-testid={`collection-row-${c.name}`}>
                    <RowHeader>
                      <TextLink href={`/collections/${c.id}`}>{c.name}</TextLink>
                    </RowHeader>
                    <Td>{c.description || <span className="text-gray-600 dark:text-gray-400">No description</span>}</Td>
                    <Td className="text-right" data-testid="collection-doc-count">
                      {c.documentCount}
                    </Td>
                    <Td data-testid="collection-access">{ACCESS_LABELS[c.access]}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
      </section>

      {isAdmin ? (
        <section aria-labelledby="create-collection-heading" className={sectionClass}>
          <h2 id="create-collection-heading" className={h2Class}>
            Create a collection
          </h2>
          <CreateCollectionForm readers={readers} />
        </section>
      ) : null}
    </div>
  );
}
