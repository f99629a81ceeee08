-- Payees [振込先] (R8.2) and the contract's approval setting (R8.5), which also governs payees.

-- R8.5: none, single or double approval, per contract.
ALTER TABLE contract ADD COLUMN approval_mode text NOT NULL DEFAULT 'none' CHECK (approval_mode IN ('none', 'single', 'double'));
-- R7.3: who receives the result of a transfer, by the bank's rules for the contract.
ALTER TABLE contract ADD COLUMN result_email_to text NOT NULL DEFAULT 'operator_and_master'
  CHECK (result_email_to IN ('operator', 'master', 'operator_and_master'));

-- The bank's own branches (the bank's own code may not be in the Zengin data).
CREATE TABLE own_branch (
  code       text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
  name       text NOT NULL,
  name_kana  text NOT NULL
);

-- A registered payee. name_kana is Zengin half-width kana, as it goes into a transfer record.
-- R8.5: registering or changing a payee follows the contract's approval setting: 'pending' until
-- approvals_required approvals by people other than its registrant. A change of an active payee is
-- a new row (replaces_payee_id) that, once active, marks the old one 'replaced'; a transfer keeps
-- its own copy of the destination, so old rows stay as they were.
CREATE TABLE payee (
  id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id         text NOT NULL REFERENCES contract (id),
  bank_code           text NOT NULL CHECK (bank_code ~ '^[0-9]{4}$'),
  branch_code         text NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
  account_type        text NOT NULL CHECK (account_type IN ('ordinary', 'current', 'savings')),
  account_number      text NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
  name_kana           text NOT NULL CHECK (length(name_kana) BETWEEN 1 AND 30),
  nickname            text CHECK (length(nickname) BETWEEN 1 AND 30),
  status              text NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'withdrawn', 'deleted', 'replaced')),
  created_by          integer NOT NULL REFERENCES users (id),
  created_at          timestamptz NOT NULL,
  replaces_payee_id   integer REFERENCES payee (id),
  approvals_required  smallint NOT NULL DEFAULT 0 CHECK (approvals_required BETWEEN 0 AND 2),
  -- Raised only by the approval's conditional update (house rule 5), never past the requirement.
  approvals_given     smallint NOT NULL DEFAULT 0 CHECK (approvals_given BETWEEN 0 AND approvals_required),
  -- Who ended a pending one (withdrawn, rejected) or deleted an active one, when, and why.
  decided_by          integer REFERENCES users (id),
  decided_at          timestamptz,
  decision_reason     text CHECK (length(decision_reason) BETWEEN 1 AND 200),
  CHECK (status <> 'active' OR approvals_given = approvals_required),
  CHECK (replaces_payee_id IS NULL OR replaces_payee_id <> id)
);
CREATE INDEX payee_by_contract ON payee (contract_id);
-- One change at a time waits for approval per payee: a second is refused by this index.
CREATE UNIQUE INDEX payee_one_pending_change ON payee (replaces_payee_id) WHERE status = 'pending';

-- R8.5: who approved a pending payee. One row per person, so nobody approves one item twice.
CREATE TABLE payee_approval (
  payee_id     integer NOT NULL REFERENCES payee (id),
  approved_by  integer NOT NULL REFERENCES users (id),
  approved_at  timestamptz NOT NULL,
  PRIMARY KEY (payee_id, approved_by)
);
