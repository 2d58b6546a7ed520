ALTER TABLE "document_versions" ADD COLUMN "data_key" text;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "page_starts" integer[];