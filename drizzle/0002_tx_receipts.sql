CREATE TABLE "tx_receipts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"request_id" text,
	"fenced" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "tx_receipts_created_idx" ON "tx_receipts" USING btree ("created_at");