/**
 * A user's log of what happened to the account (issue 8, "Events"). No foreign
 * key: the keyserver has no users table, and an account's events are deleted
 * with it by `EventsRepository.deleteUser`. Each service's migrations create it.
 */
export const EVENTS_TABLE = 'events';

export const CREATE_EVENTS_TABLE = `
  CREATE TABLE events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    type text NOT NULL,
    client_address text,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE INDEX events_user_id_created_at_id ON events (user_id, created_at DESC, id DESC);
  CREATE INDEX events_created_at ON events (created_at)`;

export const DROP_EVENTS_TABLE = `DROP TABLE events`;
