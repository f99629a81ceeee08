-- The bank's staff replace the password the bank's IT hands over (staff-add, staff-reset) before
-- the operator console opens anything else. NULL: the password in force is one IT issued, so the
-- member's next logon leads only to the password change. Members who exist already get NULL too:
-- nothing recorded so far says for certain that the password in force is not the one IT issued, so
-- each of them sets one of their own once.
ALTER TABLE staff ADD COLUMN password_changed_at timestamptz;
