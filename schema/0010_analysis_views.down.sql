-- Reverts 0010: the analysis schema holds only views and two functions over the telemetry, so dropping it loses no data.
DROP SCHEMA analysis CASCADE;
