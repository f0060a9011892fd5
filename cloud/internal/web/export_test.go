package web

// SearchSQL is the statement of one page of the console's operations
// search for q, and its arguments.
func SearchSQL(q OpQuery) (string, []any, error) { return q.sql() }
