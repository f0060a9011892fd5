package web

import (
	"net/url"
)

// pager holds the links of a keyset-paginated list. The links keep every
// filter of the current query and change only the cursor parameter; the
// notices of the action that led to the page (ok, warn) are not kept.
type pager struct {
	First, Next string // "" when there is no such page
}

func newPager(path string, q url.Values, param, cur, next string) pager {
	link := func(c string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != param && k != "ok" && k != "warn" {
				v[k] = vs
			}
		}
		if c != "" {
			v.Set(param, c)
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	var p pager
	if cur != "" {
		p.First = link("")
	}
	if next != "" {
		p.Next = link(next)
	}
	return p
}
