-- One role and one database per service, as infra/postgres.sh creates them locally.
CREATE ROLE filing LOGIN PASSWORD 'filing';
CREATE DATABASE filing OWNER filing;
CREATE ROLE licensing LOGIN PASSWORD 'licensing';
CREATE DATABASE licensing OWNER licensing;
CREATE ROLE notifications LOGIN PASSWORD 'notifications';
CREATE DATABASE notifications OWNER notifications;
\connect filing
CREATE EXTENSION IF NOT EXISTS pg_trgm;
