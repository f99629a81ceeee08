-- The double-entry ledger (R8.6): journal entries of postings that sum to zero, immutable; balances
-- kept in the same transaction and reconciled by `npm run ledger -- verify`.

-- Every account that money moves between: a customer's account at the bank, or one of the bank's
-- own (the interbank clearing account, fee income, and the cash account deposits come from).
CREATE TABLE ledger_account (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('customer', 'clearing', 'fee_income', 'cash')),
  account_id   integer UNIQUE REFERENCES account (id),
  code         text UNIQUE,                                     -- the bank's own accounts
  balance_yen  bigint NOT NULL DEFAULT 0,
  CHECK ((kind = 'customer') = (account_id IS NOT NULL)),
  CHECK ((kind = 'customer') = (code IS NULL)),
  -- A customer's account is never overdrawn.
  CHECK (kind <> 'customer' OR balance_yen >= 0)
);

CREATE TABLE journal_entry (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('transfer', 'reversal', 'deposit', 'withdrawal', 'interest')),
  transfer_id        bigint REFERENCES transfer (id),
  reverses_entry_id  bigint UNIQUE REFERENCES journal_entry (id), -- an entry is reversed at most once
  description        text NOT NULL,                                -- the statement's 摘要, half-width kana
  value_date         date NOT NULL,
  posted_at          timestamptz NOT NULL
);
-- A transfer posts once (and may be reversed once).
CREATE UNIQUE INDEX journal_entry_one_per_transfer ON journal_entry (transfer_id) WHERE kind = 'transfer';
CREATE INDEX journal_entry_by_transfer ON journal_entry (transfer_id);

CREATE TABLE posting (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id           bigint NOT NULL REFERENCES journal_entry (id),
  ledger_account_id  integer NOT NULL REFERENCES ledger_account (id),
  amount_yen         bigint NOT NULL CHECK (amount_yen <> 0),    -- + credit to the account, − debit
  balance_after_yen  bigint NOT NULL
);
CREATE INDEX posting_by_entry ON posting (entry_id);
CREATE INDEX posting_by_account ON posting (ledger_account_id, id);
