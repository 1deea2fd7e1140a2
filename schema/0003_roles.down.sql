-- Reverts 0003. Takes every privilege of this database away from the two roles, then drops each
-- role only if no other database of the cluster still depends on it and no login role is a member
-- of it; otherwise the role stays (a NOTICE says so), because it is shared by the whole cluster.
DROP FUNCTION session_end(uuid, timestamptz);
DROP FUNCTION user_id_for_auth_token(uuid);

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM code4me_writer, code4me_analyst;
REVOKE ALL ON SCHEMA public FROM code4me_writer, code4me_analyst;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['code4me_writer', 'code4me_analyst'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            CONTINUE;
        END IF;
        IF EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = r) THEN
            RAISE NOTICE 'role % has members, keeping it', r;
            CONTINUE;
        END IF;
        BEGIN
            EXECUTE format('DROP ROLE %I', r);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role % is still used by another database of this cluster, keeping it', r;
        END;
    END LOOP;
END
$$;
