-- The engine sends a batch's write statement and its COMMIT in one round
-- trip (cloud/internal/cms, pipeline.go): the COMMIT must not run when an
-- operation of the batch turned out to be recorded already, by a
-- concurrent transaction of another cmsd instance (the INSERT ... ON
-- CONFLICT DO NOTHING of the operations then inserts fewer rows than the
-- batch has, while the other parts of the statement wrote that
-- operation's effects). The statement ends by calling this function with
-- both counts; an error makes PostgreSQL skip the COMMIT, and the engine
-- rolls back, learns which operations were recorded and runs the batch
-- again without them. SQLSTATE CMSDP names this case.
CREATE FUNCTION cms_batch_check(inserted bigint, expected bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
	IF inserted <> expected THEN
		RAISE EXCEPTION 'batch: % of % operations recorded already', expected - inserted, expected
			USING ERRCODE = 'CMSDP';
	END IF;
	RETURN inserted;
END
$$;
