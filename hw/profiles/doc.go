// Package profiles embeds the virtual card profiles of this directory
// (adult, minor, expired, not-active, operator; see package vcard), so that
// tests and tools anywhere in the module load them by name instead of by a
// path relative to their own directory. The JSON files stay the source:
// scripts/devca.sh and the vcard command read them from disk.
package profiles
