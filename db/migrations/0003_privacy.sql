CREATE TYPE "public"."injection_policy" AS ENUM('quarantine', 'warn');--> statement-breakpoint
CREATE TYPE "public"."pii_policy" AS ENUM('tag', 'mask', 'reject');--> statement-breakpoint
ALTER TYPE "public"."version_status" ADD VALUE 'quarantined';--> statement-breakpoint
ALTER TABLE "collections" ADD COLUMN "pii_policy" "pii_policy" DEFAULT 'tag' NOT NULL;--> statement-breakpoint
ALTER TABLE "collections" ADD COLUMN "pii_policy_types" text[] DEFAULT '{ssn,credit_card,iban,date_of_birth,mrn,secret,password}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "collections" ADD COLUMN "injection_policy" "injection_policy" DEFAULT 'quarantine' NOT NULL;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "pii_types" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "scan" jsonb;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "review_decision" text;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "review_note" text;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "reviewed_by" uuid;--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_review_decision" CHECK ("document_versions"."review_decision" is null or "document_versions"."review_decision" in ('released', 'rejected'));