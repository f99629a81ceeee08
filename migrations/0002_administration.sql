-- Company administration (R1.2–R1.6), the bank's operator console and its staff, card requests.

-- A person's life: suspended people cannot log on; deleted people keep their row for the audit
-- trail and their user ID is never given to anyone else.
ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted'));
-- R2.5: after a reset by the master the person must set a new password of that kind at next logon.
ALTER TABLE users ADD COLUMN must_change_login boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN must_change_confirmation boolean NOT NULL DEFAULT false;

-- R1.4: business permissions, their steps and their limits. A row grants the business; steps apply
-- to fund transfer and bulk file transmission; limits (yen) to the businesses that move money.
CREATE TABLE user_permission (
  user_ref                 integer NOT NULL REFERENCES users (id),
  business                 text NOT NULL CHECK (business IN ('inquiry', 'transfer', 'tax_payment', 'bulk_transfer', 'user_admin')),
  can_register             boolean NOT NULL DEFAULT false,
  can_approve              boolean NOT NULL DEFAULT false,
  can_send                 boolean NOT NULL DEFAULT false,
  per_transaction_limit_yen bigint CHECK (per_transaction_limit_yen >= 0),
  daily_limit_yen          bigint CHECK (daily_limit_yen >= 0),
  PRIMARY KEY (user_ref, business)
);

-- The contract's accounts at the bank, and which of them each person may use (R1.4).
CREATE TABLE account (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id     text NOT NULL REFERENCES contract (id),
  branch_code     text NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
  account_type    text NOT NULL CHECK (account_type IN ('ordinary', 'current', 'savings')),
  account_number  text NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
  holder_kana     text NOT NULL,
  opened_at       timestamptz NOT NULL,
  closed_at       timestamptz,
  UNIQUE (branch_code, account_type, account_number)
);
CREATE INDEX account_by_contract ON account (contract_id);

CREATE TABLE user_account (
  user_ref    integer NOT NULL REFERENCES users (id),
  account_id  integer NOT NULL REFERENCES account (id),
  PRIMARY KEY (user_ref, account_id)
);

-- R3.3: the master asks for a person's card; the bank's staff issue it.
CREATE TABLE grid_card_request (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_ref      integer NOT NULL REFERENCES users (id),
  requested_by  integer NOT NULL REFERENCES users (id),
  reason        text NOT NULL CHECK (reason IN ('new_user', 'lost', 'damaged', 'expired')),
  requested_at  timestamptz NOT NULL,
  fulfilled_at  timestamptz,
  card_id       integer REFERENCES grid_card (id),
  cancelled_at  timestamptz
);
CREATE UNIQUE INDEX grid_card_request_one_open ON grid_card_request (user_ref) WHERE fulfilled_at IS NULL AND cancelled_at IS NULL;

-- The bank's staff, who work in the operator console: password plus an authenticator-app TOTP.
CREATE TABLE staff (
  id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login_id            text NOT NULL UNIQUE CHECK (login_id ~ '^[a-z0-9._-]{3,32}$'),
  display_name        text NOT NULL,
  role                text NOT NULL CHECK (role IN ('recorder', 'approver')),
  password_hash       text NOT NULL,
  totp_secret_sealed  text NOT NULL,
  totp_last_step      bigint NOT NULL DEFAULT 0,                      -- a TOTP step is accepted once
  failed_attempts     integer NOT NULL DEFAULT 0,
  stopped_at          timestamptz,
  disabled_at         timestamptz,
  created_at          timestamptz NOT NULL
);

CREATE TABLE staff_session (
  id            text PRIMARY KEY,
  secret_hash   text NOT NULL,
  staff_ref     integer NOT NULL REFERENCES staff (id),
  stage         text NOT NULL CHECK (stage IN ('totp', 'active')),
  csrf_token    text NOT NULL,
  ip            text NOT NULL,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  ended_at      timestamptz,
  end_reason    text
);
CREATE INDEX staff_session_live ON staff_session (staff_ref) WHERE ended_at IS NULL;

-- A customer's change application [変更申込み書], recorded by one member of staff and approved by
-- another before it takes effect.
CREATE TABLE change_application (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id   text REFERENCES contract (id),
  kind          text NOT NULL CHECK (kind IN ('onboard', 'issue_card', 'invalidate_card', 'new_registration_password', 'lift_stop', 'set_lock_mode')),
  payload       jsonb NOT NULL,
  reference     text NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
  recorded_by   integer NOT NULL REFERENCES staff (id),
  recorded_at   timestamptz NOT NULL,
  decided_by    integer REFERENCES staff (id),
  decided_at    timestamptz,
  decision_note text,
  result        jsonb,
  CHECK (decided_by IS NULL OR decided_by <> recorded_by)
);
CREATE INDEX change_application_pending ON change_application (recorded_at) WHERE status = 'pending';
