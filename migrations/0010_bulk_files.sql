-- Bulk transfer files [外部ファイル送信 / 一括データ伝送] (R8.4): 総合振込 (21), 給与振込 (11) and
-- 賞与振込 (12) files in the Zengin fixed-length format, uploaded or built on screen, approved and sent
-- as transfers are (R1.4, R8.5), and posted as one journal entry per file.

-- A file as it was uploaded and checked. Only a valid file is stored ('draft': seen by its uploader,
-- who registers or discards it); the records are kept in bulk_record. The payment date is the
-- header's MMDD in the year the upload decided (the next such day), the source account the
-- header's, found among the contract's accounts.
CREATE TABLE bulk_file (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id          text NOT NULL REFERENCES contract (id),
  created_by           integer NOT NULL REFERENCES users (id),
  type_code            text NOT NULL CHECK (type_code IN ('21', '11', '12')),
  origin               text NOT NULL CHECK (origin IN ('upload', 'built')),
  file_name            text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  -- SHA-256 of the bytes: the same file uploaded again is flagged (not refused: a company may pay
  -- the same list twice on purpose, and says so).
  digest               text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  content              bytea NOT NULL,
  from_account_id      integer NOT NULL REFERENCES account (id),
  payment_date         date NOT NULL,
  batch_count          integer NOT NULL CHECK (batch_count >= 1),
  record_count         integer NOT NULL CHECK (record_count >= 1),
  total_yen            bigint NOT NULL CHECK (total_yen > 0),
  fee_yen              bigint NOT NULL CHECK (fee_yen >= 0),
  -- draft → awaiting_approval → awaiting_send → scheduled → posted (money out, the other banks'
  -- answers awaited) → completed; failed when it could not be posted on its date; withdrawn by its
  -- creator, sent_back by an approver with a reason, discarded as a draft.
  status               text NOT NULL CHECK (status IN ('draft', 'discarded', 'awaiting_approval', 'awaiting_send', 'scheduled', 'posted', 'completed', 'failed', 'withdrawn', 'sent_back')),
  approvals_required   smallint CHECK (approvals_required BETWEEN 0 AND 2),
  -- The creator's acknowledgement that a file matching an earlier one is a payment of its own.
  duplicate_of         bigint REFERENCES bulk_file (id),
  duplicate_confirmed  boolean NOT NULL DEFAULT false,
  registered_at        timestamptz,
  sent_by              integer REFERENCES users (id),
  sent_at              timestamptz,
  status_reason        text,
  protections          jsonb NOT NULL DEFAULT '{}',
  entry_id             bigint,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  completed_at         timestamptz,
  CHECK ((status = 'draft' OR status = 'discarded') = (approvals_required IS NULL))
);
CREATE INDEX bulk_file_by_contract ON bulk_file (contract_id, created_at DESC, id DESC);
CREATE INDEX bulk_file_by_digest ON bulk_file (contract_id, digest);
CREATE INDEX bulk_file_due ON bulk_file (payment_date) WHERE status IN ('scheduled', 'posted');

-- The records of a file in file order (seq), each with the number of its 120-byte record in the file
-- (the first record of the file is 1) so a result names the line the company wrote.
CREATE TABLE bulk_record (
  file_id            bigint NOT NULL REFERENCES bulk_file (id),
  seq                integer NOT NULL CHECK (seq >= 1),
  record_number      integer NOT NULL CHECK (record_number >= 2),
  bank_code          text NOT NULL CHECK (bank_code ~ '^[0-9]{4}$'),
  bank_name          text NOT NULL,
  branch_code        text NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
  branch_name        text NOT NULL,
  account_type       text NOT NULL CHECK (account_type ~ '^[0-9]$'),
  account_number     text NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
  name_kana          text NOT NULL CHECK (length(name_kana) BETWEEN 1 AND 30),
  amount_yen         bigint NOT NULL CHECK (amount_yen > 0),
  fee_yen            bigint NOT NULL CHECK (fee_yen >= 0),
  -- 顧客コード1/2 of 総合振込, 社員番号/所属コード of 給与・賞与: kept for the result files.
  customer_code      text NOT NULL DEFAULT '',
  -- Where the posting put the money: the payee's account at this bank, or interbank clearing (other
  -- banks, and this bank's accounts that do not exist or are closed, returned at settlement).
  credit_ledger_account_id integer REFERENCES ledger_account (id),
  -- pending until posted; settled when the money reached the account; returned [振込不能] when the
  -- receiving bank (or this bank, for its own accounts) could not credit it.
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'settled', 'returned')),
  return_reason      text CHECK (return_reason IN ('account_unknown', 'account_closed', 'rejected')),
  return_entry_id    bigint,
  PRIMARY KEY (file_id, seq),
  CHECK ((status = 'returned') = (return_reason IS NOT NULL))
);

-- R8.5: each approval step by a different person; never the creator.
CREATE TABLE bulk_approval (
  file_id      bigint NOT NULL REFERENCES bulk_file (id),
  step         smallint NOT NULL CHECK (step BETWEEN 1 AND 2),
  approved_by  integer NOT NULL REFERENCES users (id),
  approved_at  timestamptz NOT NULL,
  PRIMARY KEY (file_id, step),
  UNIQUE (file_id, approved_by)
);

-- A list built on screen, kept to be used again [テンプレート]: payees and amounts.
CREATE TABLE bulk_template (
  id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id      text NOT NULL REFERENCES contract (id),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  type_code        text NOT NULL CHECK (type_code IN ('21', '11', '12')),
  from_account_id  integer NOT NULL REFERENCES account (id),
  lines            jsonb NOT NULL,
  updated_by       integer NOT NULL REFERENCES users (id),
  updated_at       timestamptz NOT NULL,
  UNIQUE (contract_id, name)
);

-- A file posts as one entry (the total out of the source account, each record in to its
-- destination); a record returned later gets an entry of its own, giving the amount and its fee back.
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_kind_check;
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_kind_check
  CHECK (kind IN ('transfer', 'reversal', 'deposit', 'withdrawal', 'interest', 'fee', 'payment', 'bulk', 'bulk_return'));
ALTER TABLE journal_entry ADD COLUMN bulk_file_id bigint REFERENCES bulk_file (id);
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_bulk_has_file CHECK ((kind IN ('bulk', 'bulk_return')) = (bulk_file_id IS NOT NULL));
CREATE UNIQUE INDEX journal_entry_one_per_bulk_file ON journal_entry (bulk_file_id) WHERE kind = 'bulk';
CREATE INDEX journal_entry_by_bulk_file ON journal_entry (bulk_file_id) WHERE bulk_file_id IS NOT NULL;
ALTER TABLE bulk_file ADD CONSTRAINT bulk_file_entry FOREIGN KEY (entry_id) REFERENCES journal_entry (id);
ALTER TABLE bulk_record ADD CONSTRAINT bulk_record_return_entry FOREIGN KEY (return_entry_id) REFERENCES journal_entry (id);

-- House rule 2, checked per statement instead of per posting: the row trigger of migration 0005
-- summed the entry's postings once for each of them, which is quadratic in a file's 10,000 records.
-- Every writer inserts an entry's postings in one statement, so at the end of each statement every
-- entry it gave postings to must have at least two and sum to zero. An entry left without postings
-- is still refused at commit by journal_entry_balanced.
DROP TRIGGER posting_entry_balanced ON posting;
CREATE FUNCTION posted_entries_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  SELECT e.entry_id, sums.total, sums.lines INTO unbalanced
  FROM (SELECT DISTINCT entry_id FROM inserted_postings) e
  CROSS JOIN LATERAL (SELECT coalesce(sum(p.amount_yen), 0) AS total, count(*) AS lines FROM posting p WHERE p.entry_id = e.entry_id) sums
  WHERE sums.total <> 0 OR sums.lines < 2
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal entry % does not balance: % posting(s) summing to % yen', unbalanced.entry_id, unbalanced.lines, unbalanced.total
      USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER posting_entries_balanced AFTER INSERT ON posting
  REFERENCING NEW TABLE AS inserted_postings FOR EACH STATEMENT EXECUTE FUNCTION posted_entries_balanced();
