-- One role and one database per service, and Keycloak's, as infra/postgres.sh creates them
-- locally (the same local passwords). Runs once, when the data volume is new.
CREATE ROLE filing LOGIN PASSWORD 'filing';
CREATE DATABASE filing OWNER filing;
CREATE ROLE licensing LOGIN PASSWORD 'licensing';
CREATE DATABASE licensing OWNER licensing;
CREATE ROLE notifications LOGIN PASSWORD 'notifications';
CREATE DATABASE notifications OWNER notifications;
CREATE ROLE keycloak LOGIN PASSWORD 'keycloak';
CREATE DATABASE keycloak OWNER keycloak;
-- No role reaches another's database: CONNECT is granted to each owner alone.
REVOKE CONNECT ON DATABASE filing, licensing, notifications, keycloak FROM PUBLIC;
