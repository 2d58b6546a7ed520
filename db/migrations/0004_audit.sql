CREATE TABLE "audit_event_contents" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"content" jsonb,
	"salt" text,
	"search" "tsvector",
	"redacted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_event_refs" (
	"seq" bigint NOT NULL,
	"collection_id" uuid,
	"document_id" uuid,
	CONSTRAINT "audit_event_refs_one" CHECK (("audit_event_refs"."collection_id" is null) <> ("audit_event_refs"."document_id" is null))
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor_id" uuid,
	"actor_email" text,
	"subject_collection_id" uuid,
	"subject_document_id" uuid,
	"subject_user_id" uuid,
	"subject_conversation_id" uuid,
	"payload" jsonb NOT NULL,
	"content_sha256" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"search" "tsvector"
);
--> statement-breakpoint
CREATE TABLE "legal_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"collection_id" uuid,
	"reason" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone,
	"released_by" uuid,
	CONSTRAINT "legal_holds_one_subject" CHECK (("legal_holds"."user_id" is null) <> ("legal_holds"."collection_id" is null))
);
--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_released_by_users_id_fk" FOREIGN KEY ("released_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_event_contents_search_idx" ON "audit_event_contents" USING gin ("search");--> statement-breakpoint
CREATE INDEX "audit_event_refs_collection_idx" ON "audit_event_refs" USING btree ("collection_id","seq") WHERE "audit_event_refs"."collection_id" is not null;--> statement-breakpoint
CREATE INDEX "audit_event_refs_document_idx" ON "audit_event_refs" USING btree ("document_id","seq") WHERE "audit_event_refs"."document_id" is not null;--> statement-breakpoint
CREATE INDEX "audit_event_refs_seq_idx" ON "audit_event_refs" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_type_idx" ON "audit_events" USING btree ("type","seq");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_subject_user_idx" ON "audit_events" USING btree ("subject_user_id","seq") WHERE "audit_events"."subject_user_id" is not null;--> statement-breakpoint
CREATE INDEX "audit_events_conversation_idx" ON "audit_events" USING btree ("subject_conversation_id") WHERE "audit_events"."subject_conversation_id" is not null;--> statement-breakpoint
CREATE INDEX "audit_events_search_idx" ON "audit_events" USING gin ("search");--> statement-breakpoint
CREATE INDEX "legal_holds_active_idx" ON "legal_holds" USING btree ("released_at");