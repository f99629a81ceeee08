import type { ColumnType } from 'kysely';

/** Column types shared by the table types of every area (schema*.ts), matching migrations/. */
export type Timestamp = ColumnType<Date, Date, Date>;
export type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

/** A `date` column: read as 'YYYY-MM-DD' text (see db/open.ts), written the same way. */
export type DateText = string;

/** 預金種目, as the domain names it (src/domain/account-designation.ts). */
export type { AccountType } from '../domain/account-designation.ts';
