import { createRequire } from 'node:module';
import { bankFullName } from './bank-full-name.ts';
import { isBankCode, isBranchCode } from './account-designation.ts';
import { toZenginKana, zenginDisplayKana } from './zengin-kana.ts';

/**
 * R8.2: banks and branches a payee can be at, from the zengin-code data, with the bank's own code
 * (config) and own branches (table own_branch) in place of whatever that data says about it. Kana
 * are given in Zengin half-width form, as a transfer record carries them. The bank's own entry and
 * branches arrive as an argument (OwnBank, made by ownBank in src/modules/payees/own-bank.ts): this
 * file reads no configuration and no database.
 */
export interface BankInfo { code: string; name: string; kana: string; own: boolean }
export interface BranchInfo { code: string; name: string; kana: string }

/** The bank itself, as configured: its code, name and kana name. */
export interface OwnBankEntry { code: string; name: string; kana: string }

/** The bank itself with its own branches, which only the bank's records know. */
export interface OwnBank extends OwnBankEntry {
  /** One of the bank's own branches by its code, undefined when there is none. */
  branch(code: string): Promise<BranchInfo | undefined>;
  /** All of the bank's own branches, in code order. */
  branches(): Promise<BranchInfo[]>;
}

interface ZenginEntry { code: string; name: string; kana: string; hira: string; roma: string }
interface ZenginBank extends ZenginEntry { branches: Record<string, ZenginEntry> }

/** Shown at most per search, so a one-letter query does not list every bank in Japan. */
export const searchLimitDefault = 20;

interface Indexed<T> { info: T; name: string; kana: string; hira: string; roma: string }

let zenginBanks: Record<string, ZenginBank> | undefined;
let bankIndex: Indexed<BankInfo>[] | undefined;
const branchIndexes = new Map<string, Indexed<BranchInfo>[]>();

/** The data is 5 MB: read on first use, not when the service starts. */
function banks(): Record<string, ZenginBank> {
  zenginBanks ??= createRequire(import.meta.url)('zengin-code') as Record<string, ZenginBank>;
  return zenginBanks;
}

function indexed<T extends { code: string; name: string }>(info: T, entry: ZenginEntry): Indexed<T> {
  return { info, name: entry.name.normalize('NFKC'), kana: zenginDisplayKana(entry.kana), hira: entry.hira, roma: entry.roma.toLowerCase() };
}

function allBanks(): Indexed<BankInfo>[] {
  bankIndex ??= Object.values(banks()).map((bank) => {
    const name = bankFullName(bank.code, bank.name);
    return indexed({ code: bank.code, name, kana: zenginDisplayKana(bank.kana), own: false }, { ...bank, name });
  });
  return bankIndex;
}

function ownBankInfo(own: OwnBankEntry): BankInfo {
  return { code: own.code, name: own.name, kana: own.kana, own: true };
}

export function findBank(own: OwnBankEntry, code: string): BankInfo | undefined {
  // A code not of the form is no bank's (nor a key of the data's object, such as `__proto__`).
  if (!isBankCode(code)) return undefined;
  if (code === own.code) return ownBankInfo(own);
  const bank = banks()[code];
  return bank === undefined ? undefined : { code: bank.code, name: bankFullName(bank.code, bank.name), kana: zenginDisplayKana(bank.kana), own: false };
}

/** A branch of another bank, from the published data alone (undefined: not known there). */
export function publishedBranch(bankCode: string, branchCode: string): BranchInfo | undefined {
  if (!isBankCode(bankCode) || !isBranchCode(branchCode)) return undefined;
  const branch = banks()[bankCode]?.branches[branchCode];
  return branch === undefined ? undefined : { code: branch.code, name: branch.name, kana: zenginDisplayKana(branch.kana) };
}

export async function findBranch(own: OwnBank, bankCode: string, branchCode: string): Promise<BranchInfo | undefined> {
  // The own bank's code is of the form (config.ts checks it); publishedBranch checks the rest itself.
  if (bankCode === own.code) return isBranchCode(branchCode) ? own.branch(branchCode) : undefined;
  return publishedBranch(bankCode, branchCode);
}

/** A query in the forms people type it: as typed, lower-case, and as Zengin kana when it converts. */
interface Query { raw: string; lower: string; kana: string | undefined }

function parseQuery(query: string): Query | undefined {
  const raw = query.normalize('NFKC').trim();
  if (raw === '') return undefined;
  const kana = toZenginKana(query, Number.MAX_SAFE_INTEGER);
  return { raw, lower: raw.toLowerCase(), kana: kana.ok ? kana.kana : undefined };
}

/** 0: the code itself; 1: a name or kana starting with the query; 2: containing it; undefined: no match. */
function rank(entry: Indexed<{ code: string }>, query: Query): number | undefined {
  if (entry.info.code === query.raw) return 0;
  if (/^\d+$/.test(query.raw) && entry.info.code.startsWith(query.raw)) return 1;
  const fields = [entry.name, entry.hira, entry.roma];
  const kana = query.kana;
  if (fields.some((field) => field.startsWith(query.raw) || field.startsWith(query.lower))) return 1;
  if (kana !== undefined && entry.kana.startsWith(kana)) return 1;
  if (fields.some((field) => field.includes(query.raw) || field.includes(query.lower))) return 2;
  if (kana !== undefined && entry.kana.includes(kana)) return 2;
  return undefined;
}

function search<T extends { code: string }>(entries: Indexed<T>[], query: string, limit: number): T[] {
  const parsed = parseQuery(query);
  if (parsed === undefined) return [];
  const hits: { rank: number; info: T }[] = [];
  for (const entry of entries) {
    const found = rank(entry, parsed);
    if (found !== undefined) hits.push({ rank: found, info: entry.info });
  }
  hits.sort((a, b) => a.rank - b.rank || a.info.code.localeCompare(b.info.code));
  return hits.slice(0, limit).map((hit) => hit.info);
}

/** Banks by code, name or kana (full- or half-width, hiragana); the bank's own first when it matches. */
export function searchBanks(own: OwnBankEntry, query: string, limit = searchLimitDefault): BankInfo[] {
  const info = ownBankInfo(own);
  const ownEntry: Indexed<BankInfo> = { info, name: info.name, kana: info.kana, hira: '', roma: '' };
  const others = allBanks().filter((entry) => entry.info.code !== info.code);
  return search([ownEntry, ...others], query, limit);
}

export async function searchBranches(own: OwnBank, bankCode: string, query: string, limit = searchLimitDefault): Promise<BranchInfo[]> {
  return search(await branchesOf(own, bankCode), query, limit);
}

async function branchesOf(own: OwnBank, bankCode: string): Promise<Indexed<BranchInfo>[]> {
  if (bankCode === own.code) {
    return (await own.branches()).map((info) => ({ info, name: info.name, kana: info.kana, hira: '', roma: '' }));
  }
  const bank = banks()[bankCode];
  if (bank === undefined) return [];
  let index = branchIndexes.get(bankCode);
  if (index === undefined) {
    index = Object.values(bank.branches).map((branch) =>
      indexed({ code: branch.code, name: branch.name, kana: zenginDisplayKana(branch.kana) }, branch));
    branchIndexes.set(bankCode, index);
  }
  return index;
}
