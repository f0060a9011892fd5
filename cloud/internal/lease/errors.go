package lease

import "errors"

// ErrConfig reports an unusable Queue configuration.
var ErrConfig = errors.New("lease: invalid configuration")
