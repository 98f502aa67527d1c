CREATE TABLE "prompts" (
	"slug" text PRIMARY KEY NOT NULL,
	"previous_slugs" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prompt_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"version" text NOT NULL,
	"commit_sha" text,
	"content_hash" text NOT NULL,
	"content" text NOT NULL,
	"path" text NOT NULL,
	"renamed_from" text,
	"author_name" text NOT NULL,
	"author_email" text NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	"message" text NOT NULL,
	"is_draft" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prompt_labels" (
	"slug" text NOT NULL,
	"label" text NOT NULL,
	"targets" jsonb NOT NULL,
	"history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"guard" jsonb,
	"revision" integer DEFAULT 1 NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prompt_labels_slug_label_pk" PRIMARY KEY("slug","label")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"slug" text NOT NULL,
	"label" text,
	"before" jsonb,
	"after" jsonb,
	"reason" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "prompt_versions_slug_version_unique" ON "prompt_versions" USING btree ("slug","version");--> statement-breakpoint
CREATE INDEX "prompt_versions_slug_committed_at_idx" ON "prompt_versions" USING btree ("slug","committed_at");--> statement-breakpoint
CREATE INDEX "audit_log_slug_at_idx" ON "audit_log" USING btree ("slug","at");