CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" text NOT NULL,
	"slug" text NOT NULL,
	"version" text,
	"label" text,
	"variant" text,
	"inputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"messages" jsonb,
	"output_text" text,
	"output_json" jsonb,
	"status" text NOT NULL,
	"error_code" text,
	"error_message" text,
	"error_details" jsonb,
	"model_requested" text,
	"model_used" text,
	"provider" text,
	"attempts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tokens_in" integer,
	"tokens_out" integer,
	"cost_usd" numeric(18, 10),
	"queue_wait_ms" integer,
	"llm_latency_ms" integer,
	"total_ms" integer,
	"trace_id" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"idempotency_key" text,
	"enqueued_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runs_status_check" CHECK ("runs"."status" in ('completed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" text NOT NULL,
	"url" text NOT NULL,
	"event" text NOT NULL,
	"attempt" integer NOT NULL,
	"status_code" integer,
	"ok" boolean NOT NULL,
	"error" text,
	"duration_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "runs_job_id_unique" ON "runs" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "runs_slug_created_at_idx" ON "runs" USING btree ("slug","created_at");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "runs_created_at_idx" ON "runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_job_id_idx" ON "webhook_deliveries" USING btree ("job_id","created_at");