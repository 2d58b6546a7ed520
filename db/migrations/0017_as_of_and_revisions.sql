ALTER TABLE "conversations" ADD COLUMN "as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "superseded_by" uuid;