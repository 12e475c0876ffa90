-- require_rows(kind, wanted, present): raises P0002 (no_data_found) naming, in DETAIL, the
-- wanted ids missing from present, in the order they were wanted. A write batch calls it after
-- its writes so that a missing row rolls the whole batch back (all or nothing in one round trip).
-- The parameter names avoid "found" (PL/pgSQL's FOUND variable).
CREATE OR REPLACE FUNCTION require_rows(kind text, wanted uuid[], present uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  missing text := (
    SELECT string_agg(e::text, ',' ORDER BY i)
    FROM unnest(wanted) WITH ORDINALITY AS x(e, i)
    WHERE e <> ALL (coalesce(present, '{}'::uuid[])));
BEGIN
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'P0002', MESSAGE = kind || ' not found', DETAIL = missing;
  END IF;
END $$;
