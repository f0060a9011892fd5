package profiles

import "embed"

// FS holds the profiles as NAME.json.
//
//go:embed *.json
var FS embed.FS
