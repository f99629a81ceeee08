-- Tax and fee payments through Pay-easy (R8.3): the bills the built-in collector answers for, the
-- payments people make, and the journal entry kind that posts them.

-- The built-in collector (src/modules/pay-easy/collector/simulator.ts) stands in for the
-- Multi-Payment Network: the billers [収納機関] it knows, and their bills. A biller's kind decides
-- what identifies a bill: お客様番号 + 確認番号 for a private biller, 納付番号 + 確認番号 + 納付区分
-- for the national treasury [国庫金] and local governments [地方公共団体].
CREATE TABLE pay_easy_biller (
  biller_number  text PRIMARY KEY CHECK (biller_number ~ '^[0-9]{5}$'),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  kind           text NOT NULL CHECK (kind IN ('private', 'national', 'local'))
);

CREATE TABLE pay_easy_bill (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  biller_number        text NOT NULL REFERENCES pay_easy_biller (biller_number),
  -- お客様番号 (up to 20 digits) of a private biller, 納付番号 (up to 16) of a public one.
  number               text NOT NULL CHECK (number ~ '^[0-9]{1,20}$'),
  confirmation_number  text NOT NULL CHECK (confirmation_number ~ '^[0-9]{1,6}$'),
  -- 納付区分 of a public biller; empty for a private one.
  payment_class        text NOT NULL DEFAULT '' CHECK (payment_class ~ '^[0-9]{0,6}$'),
  fee_name             text NOT NULL CHECK (length(fee_name) BETWEEN 1 AND 60),
  amount_yen           bigint NOT NULL CHECK (amount_yen > 0),
  due_date             date NOT NULL,
  -- Set once, by the payment's own transaction (one conditional UPDATE, house rule 4).
  paid_at              timestamptz,
  paid_receipt_number  text,
  CHECK ((paid_at IS NULL) = (paid_receipt_number IS NULL)),
  UNIQUE (biller_number, number, confirmation_number, payment_class)
);

-- R8.3: a payment made. The bill is kept as the biller answered it (name, fee name, amount, due
-- date), so the receipt [領収証書に代わるもの] shows what was paid whatever the biller says later.
-- R8.6: the person's idempotency key is unique, a retry finds the first payment; a bill is paid
-- once (its reference is unique per biller).
CREATE SEQUENCE payment_receipt_number_seq;

CREATE TABLE payment (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  receipt_number    text NOT NULL UNIQUE DEFAULT ('PE' || lpad(nextval('payment_receipt_number_seq')::text, 10, '0')),
  contract_id       text NOT NULL REFERENCES contract (id),
  created_by        integer NOT NULL REFERENCES users (id),
  idempotency_key   text NOT NULL CHECK (idempotency_key ~ '^[A-Za-z0-9_-]{16,64}$'),
  request_hash      text NOT NULL,
  from_account_id   integer NOT NULL REFERENCES account (id),
  biller_number     text NOT NULL CHECK (biller_number ~ '^[0-9]{5}$'),
  biller_name       text NOT NULL,
  biller_kind       text NOT NULL CHECK (biller_kind IN ('private', 'national', 'local')),
  number            text NOT NULL,
  payment_class     text NOT NULL,
  -- The collector's own reference of the bill.
  bill_ref          text NOT NULL,
  fee_name          text NOT NULL,
  amount_yen        bigint NOT NULL CHECK (amount_yen > 0),
  due_date          date NOT NULL,
  -- The ledger entry that moved the money, written in the same transaction as the payment.
  entry_id          bigint UNIQUE REFERENCES journal_entry (id),
  -- R9.1: the protections in force (certificate, grid card, email one-time password).
  protections       jsonb NOT NULL,
  paid_at           timestamptz NOT NULL,
  UNIQUE (created_by, idempotency_key),
  UNIQUE (biller_number, bill_ref)
);
CREATE INDEX payment_by_contract ON payment (contract_id, paid_at DESC, id DESC);

-- R8.3: a payment posts from the customer's account to the bank's clearing account.
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_kind_check;
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_kind_check
  CHECK (kind IN ('transfer', 'reversal', 'deposit', 'withdrawal', 'interest', 'fee', 'payment'));
