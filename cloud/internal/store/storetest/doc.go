// Package storetest opens fresh CMS databases for tests: a temporary SQLite
// file, or a new PostgreSQL database created on the server named by
// CNS_TEST_PG_URL and dropped when the test ends.
package storetest
