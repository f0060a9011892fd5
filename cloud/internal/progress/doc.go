// Package progress draws a one-line progress bar for long CLI jobs (card
// import) on a terminal: percentage of bytes read, rows, rows per second
// and rejected rows. It redraws at most every Interval and only when its
// writer is a terminal ([IsTerminal]); elsewhere (pipes, files, tests) the
// caller skips it, so logs and captured output stay clean.
package progress
