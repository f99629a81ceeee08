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
CREATE TABLE payee (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id     text NOT NULL REFERENCES contract (id),
  bank_code       text NOT NULL CHECK (bank_code ~ '^[0-9]{4}$'),
  branch_code     text NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
  account_type    text NOT NULL CHECK (account_type IN ('ordinary', 'current', 'savings')),
  account_number  text NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
  name_kana       text NOT NULL CHECK (length(name_kana) BETWEEN 1 AND 30),
  nickname        text,
  status          text NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'withdrawn', 'deleted')),
  created_by      integer NOT NULL REFERENCES users (id),
  created_at      timestamptz NOT NULL
);
CREATE INDEX payee_by_contract ON payee (contract_id);
