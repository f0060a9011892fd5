package web

// NotificationsSQL is the console's list statement for a notification
// status ("" = any), empty for a status the table cannot hold.
func NotificationsSQL(status string) string { return notificationsSQL[status] }
