-- 0011 belongs to the scale branch (time partitions, issue #19), written in parallel with this branch. Migration
-- versions run without gaps, so this stand-in lets the report branch apply 0012 on its own. It adds one empty function,
-- so that the test of every down script sees a change to undo. Delete both files of this stand-in when merging with the
-- real 0011 of the scale branch.
CREATE FUNCTION stand_in_0011_for_the_scale_branch() RETURNS void LANGUAGE sql AS $$ SELECT $$;
