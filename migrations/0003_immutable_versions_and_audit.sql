-- Published versions and audit rows are immutable: refuse UPDATE, DELETE and TRUNCATE at the database.
CREATE FUNCTION "opm_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'opm: rows of % are immutable (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_immutable" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "opm_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "opm_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "prompt_versions_immutable" BEFORE UPDATE OR DELETE ON "prompt_versions"
  FOR EACH ROW EXECUTE FUNCTION "opm_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "prompt_versions_no_truncate" BEFORE TRUNCATE ON "prompt_versions"
  FOR EACH STATEMENT EXECUTE FUNCTION "opm_refuse_change"();
