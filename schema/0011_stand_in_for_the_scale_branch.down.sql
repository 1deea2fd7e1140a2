-- Reverts the stand-in 0011.
DROP FUNCTION stand_in_0011_for_the_scale_branch();
