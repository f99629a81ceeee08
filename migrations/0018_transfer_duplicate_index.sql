-- R8.6: the duplicate-transfer check looks for the contract's earlier transfer from the same
-- account with the same amount and execution date (src/modules/transfers/duplicate.ts). Through
-- transfer_by_contract it read every transfer of the contract in the window, so a customer with
-- many transfers paid for each check with all of them; this index reads only the few alike.
CREATE INDEX transfer_alike ON transfer (from_account_id, amount_yen, execution_date);
