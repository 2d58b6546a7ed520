ALTER TABLE "users" ADD COLUMN "external_issuer" text;--> statement-breakpoint
CREATE UNIQUE INDEX "users_external_identity_key" ON "users" USING btree ("external_issuer","external_subject");