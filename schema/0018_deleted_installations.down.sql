-- Reverts 0018: the record of deleted installations (their spooled events are then written when they arrive, as before).
DROP FUNCTION installation_deleted(uuid);
DROP TABLE deleted_installation;
