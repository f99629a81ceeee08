-- Client certificates (R4): the bank's certificate authority and the certificates it issues.

-- R4.2: the bank switches a contract to certificates; from then on every ID of it logs on with one.
ALTER TABLE contract ADD COLUMN certificate_required boolean NOT NULL DEFAULT false;

-- R4.1: the bank's CA. The key is sealed under the versioned encryption key (never stored in clear).
CREATE TABLE certificate_authority (
  id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject          text NOT NULL,
  certificate_pem  text NOT NULL,
  key_sealed       text NOT NULL,
  created_at       timestamptz NOT NULL,
  retired_at       timestamptz
);
CREATE UNIQUE INDEX certificate_authority_one_active ON certificate_authority ((true)) WHERE retired_at IS NULL;

CREATE TABLE client_certificate (
  id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  authority_id        integer NOT NULL REFERENCES certificate_authority (id),
  user_ref            integer NOT NULL REFERENCES users (id),
  serial_hex          text NOT NULL UNIQUE,
  fingerprint_sha256  text NOT NULL UNIQUE,
  certificate_pem     text NOT NULL,
  not_before          timestamptz NOT NULL,
  not_after           timestamptz NOT NULL,
  issued_at           timestamptz NOT NULL,
  revoked_at          timestamptz,
  revocation_reason   text,
  -- R4.4: each reminder is sent once, claimed by a conditional UPDATE.
  reminder_30_sent_at timestamptz,
  reminder_10_sent_at timestamptz
);
-- R4.1, R4.6: one valid certificate per user ID.
CREATE UNIQUE INDEX client_certificate_one_valid ON client_certificate (user_ref) WHERE revoked_at IS NULL;
CREATE INDEX client_certificate_expiring ON client_certificate (not_after) WHERE revoked_at IS NULL;

-- A logon for acquiring a certificate [電子証明書の取得・更新] (R4.3) ends at a stage of its own,
-- which opens the acquisition pages and nothing else.
ALTER TABLE session DROP CONSTRAINT session_stage_check;
ALTER TABLE session ADD CONSTRAINT session_stage_check CHECK (stage IN ('grid', 'setup', 'active', 'certificate'));

-- A session opened with a certificate is bound to it: another or no certificate cannot use it.
ALTER TABLE session ADD COLUMN client_certificate_id integer REFERENCES client_certificate (id);

-- A revocation ends the sessions opened with the certificate (R4.5): found by this index.
CREATE INDEX session_client_certificate ON session (client_certificate_id) WHERE client_certificate_id IS NOT NULL AND ended_at IS NULL;
-- The revocation list (R4.5) reads the revoked certificates of the CA.
CREATE INDEX client_certificate_revoked ON client_certificate (authority_id, revoked_at) WHERE revoked_at IS NOT NULL;

-- R4.2, R4.5: the bank's change applications for certificates: switching a contract to them, and
-- the master's reissue, which is the bank's.
ALTER TABLE change_application DROP CONSTRAINT change_application_kind_check;
ALTER TABLE change_application ADD CONSTRAINT change_application_kind_check CHECK (kind IN (
  'onboard', 'issue_card', 'invalidate_card', 'new_registration_password', 'lift_stop', 'set_lock_mode',
  'set_certificate_required', 'reissue_master_certificate'));
