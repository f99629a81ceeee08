-- Email one-time passwords (R5): the OTP address of each person who can finalise a payment, and
-- the challenges — a code bound to a digest of what it confirms.

-- R5.1: the OTP address [ワンタイムパスワード用メールアドレス], usable once confirmed by a code sent to it.
ALTER TABLE users ADD COLUMN otp_email text;
ALTER TABLE users ADD COLUMN otp_email_confirmed_at timestamptz;

-- R5.2, R5.3: a transfer's version changes with every change of its row, so a code bound to one
-- version is useless for the transfer as any later change leaves it.
ALTER TABLE transfer ADD COLUMN version integer NOT NULL DEFAULT 1;
CREATE FUNCTION transfer_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END;
$$;
CREATE TRIGGER transfer_version BEFORE UPDATE ON transfer FOR EACH ROW EXECUTE FUNCTION transfer_next_version();

-- R5.2–R5.4: only a keyed hash of the code is kept (HMAC over the challenge, its digest and the
-- code); the digest names what the code confirms. A code is used once (used_at, set by one
-- conditional UPDATE), void after three wrong entries, useless after expires_at.
CREATE TABLE email_otp_challenge (
  id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id         text NOT NULL REFERENCES contract (id),
  user_ref            integer NOT NULL REFERENCES users (id),
  purpose             text NOT NULL CHECK (purpose IN ('otp_address', 'transfer', 'payment')),
  -- What the code is for, e.g. 'transfer:42' or 'new-transfer:<idempotency key>'; its details are in the digest.
  subject             text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  digest              text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  code_mac            text NOT NULL,
  recipient           text NOT NULL,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  -- Entries being compared now, and wrong ones: together never more than three (reserved before comparing).
  entries_in_flight   smallint NOT NULL DEFAULT 0 CHECK (entries_in_flight >= 0),
  wrong_entries       smallint NOT NULL DEFAULT 0 CHECK (wrong_entries >= 0),
  used_at             timestamptz,
  voided_at           timestamptz,
  void_reason         text CHECK (void_reason IN ('wrong_entries', 'replaced', 'changed')),
  -- The audit record of an expiry is written once, by whichever finds it first.
  expiry_recorded_at  timestamptz,
  CHECK (entries_in_flight + wrong_entries <= 3)
);
CREATE INDEX email_otp_challenge_by_subject ON email_otp_challenge (user_ref, purpose, subject, created_at DESC);
-- The sends of one person in the last hour (the limit), read along this index.
CREATE INDEX email_otp_challenge_by_person ON email_otp_challenge (user_ref, created_at DESC);
CREATE INDEX email_otp_challenge_unrecorded_expiry ON email_otp_challenge (expires_at)
  WHERE used_at IS NULL AND voided_at IS NULL AND expiry_recorded_at IS NULL;
