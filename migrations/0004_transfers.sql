-- Transfers [振込・振替] (R8.2) with their approval (R8.5) and the limits of R1.4.

CREATE TABLE transfer (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id          text NOT NULL REFERENCES contract (id),
  created_by           integer NOT NULL REFERENCES users (id),
  -- R8.6: a retried request returns the first result; the same key with other content is refused.
  idempotency_key      text NOT NULL CHECK (idempotency_key ~ '^[A-Za-z0-9_-]{16,64}$'),
  request_hash         text NOT NULL,
  from_account_id      integer NOT NULL REFERENCES account (id),
  payee_id             integer REFERENCES payee (id),           -- null: ad hoc [都度指定]
  -- The destination as it was when the transfer was made, whatever happens to the payee later.
  to_bank_code         text NOT NULL CHECK (to_bank_code ~ '^[0-9]{4}$'),
  to_branch_code       text NOT NULL CHECK (to_branch_code ~ '^[0-9]{3}$'),
  to_account_type      text NOT NULL CHECK (to_account_type IN ('ordinary', 'current', 'savings')),
  to_account_number    text NOT NULL CHECK (to_account_number ~ '^[0-9]{7}$'),
  to_name_kana         text NOT NULL CHECK (length(to_name_kana) BETWEEN 1 AND 30),
  amount_yen           bigint NOT NULL CHECK (amount_yen > 0),
  fee_yen              bigint NOT NULL CHECK (fee_yen >= 0),
  execution_date       date NOT NULL,
  -- awaiting_approval → awaiting_send → scheduled (a future date) → completed | failed;
  -- withdrawn by the creator, sent_back by an approver with a reason.
  status               text NOT NULL CHECK (status IN ('awaiting_approval', 'awaiting_send', 'scheduled', 'completed', 'failed', 'withdrawn', 'sent_back')),
  approvals_required   smallint NOT NULL CHECK (approvals_required BETWEEN 0 AND 2),
  sent_by              integer REFERENCES users (id),
  sent_at              timestamptz,
  status_reason        text,                                    -- a send-back reason, a failure reason
  -- R9.1: which protections were in force when it was made (certificate, grid card, ...).
  protections          jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  completed_at         timestamptz,
  UNIQUE (created_by, idempotency_key)
);
CREATE INDEX transfer_by_contract ON transfer (contract_id, created_at DESC);
CREATE INDEX transfer_due ON transfer (execution_date) WHERE status = 'scheduled';

-- R8.5: each approval step by a different person; never the creator (checked in the write).
CREATE TABLE transfer_approval (
  transfer_id  bigint NOT NULL REFERENCES transfer (id),
  step         smallint NOT NULL CHECK (step BETWEEN 1 AND 2),
  approved_by  integer NOT NULL REFERENCES users (id),
  approved_at  timestamptz NOT NULL,
  PRIMARY KEY (transfer_id, step),
  UNIQUE (transfer_id, approved_by)
);

-- R1.4: what a person has used of a business's daily limit, per day (Asia/Tokyo); raised in the
-- write only while it stays within the limit (house rule 5).
CREATE TABLE daily_usage (
  user_ref    integer NOT NULL REFERENCES users (id),
  business    text NOT NULL,
  usage_date  date NOT NULL,
  used_yen    bigint NOT NULL CHECK (used_yen >= 0),
  PRIMARY KEY (user_ref, business, usage_date)
);

-- R8.6: idempotency of the money-moving requests other than creating a transfer (approve, send,
-- withdraw, send back): the first result is kept and returned to a retry.
CREATE TABLE idempotency_record (
  user_ref      integer NOT NULL REFERENCES users (id),
  key           text NOT NULL CHECK (key ~ '^[A-Za-z0-9_-]{16,64}$'),
  request_hash  text NOT NULL,
  result        jsonb,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (user_ref, key)
);
