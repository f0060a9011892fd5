// Command cmsctl is the admin CLI of the Card Management System: import
// issued cards, check codici fiscali, replay operations, verify the audit
// log, manage the vault key, operators, counters, devices, accounts and
// tickets. Run `cmsctl help` for the commands.
//
// Global flags come before the command: -db (a SQLite file path or a
// postgres:// URL, env CNS_DB), -key (the vault key file, env
// CNS_VAULT_KEY), -v (progress details on stderr).
//
// Exit status: 0 done, 1 failed or some rows/records had problems (they
// are listed on stderr), 2 wrong usage.
//
// See docs/cmsctl.md for every command and the issued-cards CSV format.
package main
