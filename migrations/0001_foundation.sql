-- Foundation: contracts, their people, grid cards, sessions, the audit trail, the email outbox.
-- Frozen once landed; later changes come as new migrations.

CREATE TABLE contract (
  id            text PRIMARY KEY CHECK (id ~ '^[0-9]{11}$'),          -- R1.1
  company_name  text NOT NULL CHECK (length(company_name) BETWEEN 1 AND 100),
  lock_mode     text NOT NULL DEFAULT 'unlinked' CHECK (lock_mode IN ('unlinked', 'linked')), -- R2.3
  stopped_at    timestamptz,                                          -- a stop of the whole contract
  created_at    timestamptz NOT NULL
);

CREATE TABLE users (
  id                                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id                       text NOT NULL REFERENCES contract (id),
  user_id                           text NOT NULL CHECK (user_id ~ '^[A-Za-z0-9]{1,30}$'), -- R1.2
  display_name                      text NOT NULL,
  role                              text NOT NULL CHECK (role IN ('master', 'user')),
  email                             text,
  login_password_hash               text,
  login_password_changed_at         timestamptz,
  confirmation_password_hash        text,
  confirmation_password_changed_at  timestamptz,
  registration_password_hash        text,                             -- R1.3, one-time
  registration_password_expires_at  timestamptz,
  failed_attempts                   integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  stopped_at                        timestamptz,                      -- R2.3
  created_at                        timestamptz NOT NULL,
  UNIQUE (contract_id, user_id)
);
CREATE UNIQUE INDEX users_one_master ON users (contract_id) WHERE role = 'master';

CREATE TABLE password_history (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_ref    integer NOT NULL REFERENCES users (id),
  kind        text NOT NULL CHECK (kind IN ('login', 'confirmation')),
  hash        text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX password_history_by_user ON password_history (user_ref, kind, created_at DESC);

CREATE TABLE grid_card (
  id                   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_ref             integer NOT NULL REFERENCES users (id),
  serial               text NOT NULL UNIQUE,
  digits_sealed        text NOT NULL,                                 -- R3.4: encrypted, versioned key
  issued_at            timestamptz NOT NULL,
  expires_at           timestamptz NOT NULL,
  invalidated_at       timestamptz
);
-- R3.3: a person holds one valid card; issuing a new one invalidates the old one in the same transaction.
CREATE UNIQUE INDEX grid_card_one_valid ON grid_card (user_ref) WHERE invalidated_at IS NULL;

CREATE TABLE grid_challenge (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_id      integer NOT NULL REFERENCES grid_card (id),
  cells        text NOT NULL,
  created_at   timestamptz NOT NULL,
  answered_at  timestamptz
);
-- R3.2: one open challenge per card, shown again until answered correctly.
CREATE UNIQUE INDEX grid_challenge_one_open ON grid_challenge (card_id) WHERE answered_at IS NULL;

CREATE TABLE session (
  id            text PRIMARY KEY,
  secret_hash   text NOT NULL,
  user_ref      integer NOT NULL REFERENCES users (id),
  contract_id   text NOT NULL REFERENCES contract (id),
  stage         text NOT NULL CHECK (stage IN ('grid', 'setup', 'active')),
  logon_method  text NOT NULL CHECK (logon_method IN ('password', 'registration')),
  csrf_token    text NOT NULL,
  grid_challenge_id integer REFERENCES grid_challenge (id),          -- the challenge this logon was shown
  ip            text NOT NULL,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  ended_at      timestamptz,
  end_reason    text
);
CREATE INDEX session_live_by_user ON session (user_ref) WHERE ended_at IS NULL;

CREATE TABLE email_verification (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_ref    integer NOT NULL REFERENCES users (id),
  new_email   text NOT NULL,
  code_hash   text NOT NULL,
  failures    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  consumed_at timestamptz
);
CREATE UNIQUE INDEX email_verification_one_open ON email_verification (user_ref) WHERE consumed_at IS NULL;

-- R9.1: tamper-evident. Records form one hash chain per contract (and one for records of no
-- contract): each holds its number in the chain and the hash of the one before, so a removed or
-- altered record breaks the chain, and the head table makes a removed last record show too.
CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain        text NOT NULL,
  seq          bigint NOT NULL CHECK (seq >= 1),
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  at           timestamptz NOT NULL,
  contract_id  text,
  user_ref     integer,
  actor        text NOT NULL,
  action       text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('success', 'failure', 'info')),
  reason       text,
  ip           text,
  user_agent   text,
  details      jsonb NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX audit_log_chain_seq ON audit_log (chain, seq);
CREATE TABLE audit_chain_head (
  chain  text PRIMARY KEY,
  seq    bigint NOT NULL,
  hash   text NOT NULL
);
CREATE INDEX audit_log_by_user ON audit_log (user_ref, at DESC);
CREATE INDEX audit_log_by_contract ON audit_log (contract_id, at DESC);

CREATE TABLE outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at       timestamptz NOT NULL,
  contract_id      text,
  recipient        text NOT NULL,
  subject          text NOT NULL,
  body             text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  sent_at          timestamptz,
  last_error       text
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE rate_limit_hit (
  bucket        text NOT NULL,
  window_start  timestamptz NOT NULL,
  hits          integer NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
