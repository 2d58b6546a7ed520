CREATE TABLE "review_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"item_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"status_after" text NOT NULL,
	"actor_id" uuid,
	"actor_email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_actions_decision" CHECK ("review_actions"."decision" in ('correct', 'incorrect', 'escalate', 'reopen')),
	CONSTRAINT "review_actions_status" CHECK ("review_actions"."status_after" in ('open', 'escalated', 'resolved'))
);
--> statement-breakpoint
CREATE TABLE "review_flags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"item_id" uuid NOT NULL,
	"source" text NOT NULL,
	"reason" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_flags_source" CHECK ("review_flags"."source" in ('user', 'guard')),
	CONSTRAINT "review_flags_reason" CHECK ("review_flags"."reason" in ('incorrect', 'unsupported', 'harmful', 'other', 'output_redacted', 'question_injection', 'weak_support'))
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" bigserial NOT NULL,
	"message_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"asker_id" uuid,
	"asker_email" text,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_items_status" CHECK ("review_items"."status" in ('open', 'escalated', 'resolved')),
	CONSTRAINT "review_items_resolution" CHECK (("review_items"."status" = 'resolved') = ("review_items"."resolution" is not null) and ("review_items"."resolution" is null or "review_items"."resolution" in ('correct', 'incorrect')))
);
--> statement-breakpoint
ALTER TABLE "message_feedback" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "review_actions" ADD CONSTRAINT "review_actions_item_id_review_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."review_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_actions" ADD CONSTRAINT "review_actions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_flags" ADD CONSTRAINT "review_flags_item_id_review_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."review_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_flags" ADD CONSTRAINT "review_flags_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_asker_id_users_id_fk" FOREIGN KEY ("asker_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_actions_item_idx" ON "review_actions" USING btree ("item_id","seq");--> statement-breakpoint
CREATE INDEX "review_flags_item_idx" ON "review_flags" USING btree ("item_id","seq");--> statement-breakpoint
CREATE INDEX "review_flags_reason_idx" ON "review_flags" USING btree ("reason","item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_message_key" ON "review_items" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_number_key" ON "review_items" USING btree ("number");--> statement-breakpoint
CREATE INDEX "review_items_status_idx" ON "review_items" USING btree ("status","number");--> statement-breakpoint
ALTER TABLE "message_feedback" ADD CONSTRAINT "message_feedback_reason" CHECK ("message_feedback"."reason" is null or ("message_feedback"."rating" = -1 and "message_feedback"."reason" in ('incorrect', 'unsupported', 'harmful', 'other')));