ALTER TABLE "document_versions" ADD COLUMN "effective_from" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "effective_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "effect_recorded_at" timestamp with time zone;--> statement-breakpoint
-- Versions from before effective dates took effect when they were uploaded, on record at publication.
UPDATE "document_versions" SET "effective_from" = "created_at", "effect_recorded_at" = "processed_at";--> statement-breakpoint
CREATE INDEX "document_versions_scheduled_idx" ON "document_versions" USING btree ("effective_from") WHERE "document_versions"."effect_recorded_at" is null;--> statement-breakpoint
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_effective_order" CHECK ("document_versions"."effective_until" is null or "document_versions"."effective_until" > "document_versions"."effective_from");