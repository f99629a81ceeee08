-- Hardware tokens (R6): the tokens the bank loads from the vendor's PSKC file, their assignment to
-- contracts (and its fee), the person who activated each, and what stops a person's token use.

-- R6.1, R6.2: a token as the vendor ships it. The secret is sealed with the keyring (associated data
-- names the serial), never in clear. Unassigned until the bank assigns it to a contract.
CREATE TABLE hardware_token (
  serial             text PRIMARY KEY CHECK (serial ~ '^[A-Za-z0-9-]{1,32}$'),
  secret_sealed      text NOT NULL,
  hash               text NOT NULL CHECK (hash IN ('sha1', 'sha256', 'sha512')),
  digits             smallint NOT NULL CHECK (digits = 6),
  step_seconds       smallint NOT NULL CHECK (step_seconds = 60),
  -- R6.1: printed on the token; it stops working at the start of this day (Asia/Tokyo).
  expires_on         date NOT NULL,
  imported_at        timestamptz NOT NULL,
  imported_by        text NOT NULL,
  contract_id        text REFERENCES contract (id),
  assigned_at        timestamptz,
  assign_reason      text CHECK (assign_reason IN ('new', 'lost', 'broken', 'expired')),
  -- R6.2: the fee entry of the ledger, when the assignment was charged.
  fee_entry_id       bigint REFERENCES journal_entry (id),
  revoked_at         timestamptz,
  revoke_reason      text,
  -- R6.8: the last time step accepted, for everyone who shares the token; a code is accepted only
  -- for a later step (one conditional UPDATE, house rule 4).
  last_step          bigint NOT NULL DEFAULT 0,
  -- The token's clock as the help desk found it, in steps (resynchronisation).
  drift_steps        smallint NOT NULL DEFAULT 0 CHECK (drift_steps BETWEEN -30 AND 30),
  last_used_at       timestamptz,
  CHECK ((contract_id IS NULL) = (assigned_at IS NULL)),
  CHECK ((contract_id IS NULL) = (assign_reason IS NULL))
);
CREATE INDEX hardware_token_by_contract ON hardware_token (contract_id, assigned_at) WHERE contract_id IS NOT NULL;
CREATE INDEX hardware_token_by_expiry ON hardware_token (expires_on) WHERE revoked_at IS NULL;

-- R6.3: one token per person, shared by several people of one contract at most (the token's
-- contract is checked when it is activated). R6.6: wrong token passwords of the person, reserved
-- before a code is evaluated (house rule 5); five stop the person's token use.
ALTER TABLE users ADD COLUMN token_serial text REFERENCES hardware_token (serial);
ALTER TABLE users ADD COLUMN token_activated_at timestamptz;
ALTER TABLE users ADD COLUMN token_failed_attempts smallint NOT NULL DEFAULT 0 CHECK (token_failed_attempts BETWEEN 0 AND 5);
ALTER TABLE users ADD COLUMN token_stopped_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_token_activation CHECK ((token_serial IS NULL) = (token_activated_at IS NULL));
CREATE INDEX users_by_token ON users (token_serial) WHERE token_serial IS NOT NULL;

-- R6.4: the grace period runs from the contract's application for tokens (its first assignment).
-- R6.5: where a transfer would ask for both the email one-time password and the token, the bank
-- may set the contract to ask for the token alone.
ALTER TABLE contract ADD COLUMN tokens_applied_at timestamptz;
ALTER TABLE contract ADD COLUMN token_replaces_email_otp boolean NOT NULL DEFAULT false;

-- R6.4: a person offered the activation page skipped it for this session.
ALTER TABLE session ADD COLUMN token_prompt_skipped boolean NOT NULL DEFAULT false;

-- R6.2: the token fee is a journal entry of its own.
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_kind_check;
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_kind_check
  CHECK (kind IN ('transfer', 'reversal', 'deposit', 'withdrawal', 'interest', 'fee'));

-- The bank's console records token imports and assignments as change applications.
ALTER TABLE change_application DROP CONSTRAINT change_application_kind_check;
ALTER TABLE change_application ADD CONSTRAINT change_application_kind_check CHECK (kind IN (
  'onboard', 'issue_card', 'invalidate_card', 'new_registration_password', 'lift_stop', 'set_lock_mode',
  'set_certificate_required', 'reissue_master_certificate', 'import_tokens', 'assign_token'));
