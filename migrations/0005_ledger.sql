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
  -- A bank account's code is its kind, with '/<n>' for the further shards of a busy one (below).
  CHECK (code IS NULL OR code = kind OR code ~ ('^' || kind || '/[0-9]+$')),
  -- A customer's account is never overdrawn.
  CHECK (kind <> 'customer' OR balance_yen >= 0)
);

-- The bank's own accounts. Clearing and fee income take a posting from nearly every transfer, and
-- a posting holds its account's row lock until the transaction commits: as one row each, they
-- would make all transfers of all customers wait for each other. So each is 16 rows (shards
-- 'fee_income', 'fee_income/1' … 'fee_income/15'), a transfer posting to the one its id picks
-- (src/modules/ledger/bank-accounts.ts, bankLedgerShards); the account's balance is their sum.
INSERT INTO ledger_account (kind, code) VALUES ('cash', 'cash');
INSERT INTO ledger_account (kind, code)
  SELECT kind, CASE WHEN shard = 0 THEN kind ELSE kind || '/' || shard END
  FROM unnest(ARRAY['clearing', 'fee_income']) AS kind, generate_series(0, 15) AS shard
  ORDER BY kind, shard;

-- Every customer account has its ledger account, whoever creates the account (onboarding, the
-- demo seed, a test): the existing ones now, later ones by the trigger in the same statement.
INSERT INTO ledger_account (kind, account_id) SELECT 'customer', id FROM account ORDER BY id;

CREATE FUNCTION ledger_account_for_new_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_account (kind, account_id) VALUES ('customer', NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER account_has_ledger_account AFTER INSERT ON account
  FOR EACH ROW EXECUTE FUNCTION ledger_account_for_new_account();

CREATE TABLE journal_entry (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('transfer', 'reversal', 'deposit', 'withdrawal', 'interest')),
  transfer_id        bigint REFERENCES transfer (id),
  reverses_entry_id  bigint UNIQUE REFERENCES journal_entry (id), -- an entry is reversed at most once
  description        text NOT NULL,                                -- the statement's 摘要, half-width kana
  value_date         date NOT NULL,
  posted_at          timestamptz NOT NULL,
  CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL))
);
-- A transfer posts once (and may be reversed once).
CREATE UNIQUE INDEX journal_entry_one_per_transfer ON journal_entry (transfer_id) WHERE kind = 'transfer';
CREATE INDEX journal_entry_by_transfer ON journal_entry (transfer_id);

CREATE TABLE posting (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id           bigint NOT NULL REFERENCES journal_entry (id),
  ledger_account_id  integer NOT NULL REFERENCES ledger_account (id),
  amount_yen         bigint NOT NULL CHECK (amount_yen <> 0),    -- + credit to the account, − debit
  balance_after_yen  bigint NOT NULL,
  -- This account's own 摘要 where it differs from the entry's: the payee of a transfer sees
  -- 'ﾌﾘｺﾐ <sender>' while the sender sees the payee. Null: the entry's description.
  description        text
);
CREATE INDEX posting_by_entry ON posting (entry_id);
CREATE INDEX posting_by_account ON posting (ledger_account_id, id);

-- House rule 2: the database checks again what the service asserted before writing. At commit,
-- every entry that gained postings in the transaction has at least two and they sum to zero; an
-- entry written without postings is refused too.
CREATE FUNCTION journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked_entry bigint;
  total numeric;
  lines bigint;
BEGIN
  IF TG_TABLE_NAME = 'posting' THEN
    checked_entry := NEW.entry_id;
  ELSE
    checked_entry := NEW.id;
  END IF;
  SELECT coalesce(sum(amount_yen), 0), count(*) INTO total, lines FROM posting WHERE entry_id = checked_entry;
  IF total <> 0 OR lines < 2 THEN
    RAISE EXCEPTION 'journal entry % does not balance: % posting(s) summing to % yen', checked_entry, lines, total
      USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON journal_entry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced();
CREATE CONSTRAINT TRIGGER posting_entry_balanced AFTER INSERT ON posting
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced();

-- House rule 2: postings are immutable; a mistake is corrected by a reversal entry.
CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused (correct by a reversal entry)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER journal_entry_append_only BEFORE UPDATE OR DELETE ON journal_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
CREATE TRIGGER journal_entry_no_truncate BEFORE TRUNCATE ON journal_entry
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_is_append_only();
CREATE TRIGGER posting_append_only BEFORE UPDATE OR DELETE ON posting
  FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
CREATE TRIGGER posting_no_truncate BEFORE TRUNCATE ON posting
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_is_append_only();
