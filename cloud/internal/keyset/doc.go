// Package keyset is the page cursor of the console's and the API's lists
// that page by (time, id): "<unix microseconds>.<id>" of the last row of a
// page. The next page asks for the rows after it in that order, so rows
// sharing a microsecond are neither skipped nor repeated.
package keyset
