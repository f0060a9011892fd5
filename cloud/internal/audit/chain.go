package audit

import "fmt"

// checkPartition compares the order of the records by seq with the order
// their prev_hash links give, and the last record with the head row.
func checkPartition(p int, rows []row, h head) []Issue {
	issues := gaps(p, rows, h)
	chain, broken := follow(rows)
	for _, i := range broken {
		r := rows[i]
		if i > 0 && r.seq == rows[i-1].seq+1 {
			issues = append(issues, Issue{Changed, p, r.seq, r.id,
				fmt.Sprintf("link to the previous record does not match (record %s rewritten?)", rows[i-1].id)})
		}
	}
	for pos, i := range chain {
		if pos != i {
			r := rows[i]
			issues = append(issues, Issue{Reordered, p, r.seq, r.id,
				fmt.Sprintf("chain puts it at position %d, sequence at %d", pos+1, i+1)})
		}
	}
	return issues
}

// gaps reports sequence numbers missing between records and at the tail.
func gaps(p int, rows []row, h head) []Issue {
	var out []Issue
	want := int64(1)
	for _, r := range rows {
		if r.seq > want {
			out = append(out, Issue{Removed, p, want, r.id,
				fmt.Sprintf("records %d..%d missing before this one", want, r.seq-1)})
		}
		want = r.seq + 1
	}
	if h.seq >= want {
		out = append(out, Issue{Removed, p, want, "", fmt.Sprintf("records %d..%d missing at the end", want, h.seq)})
	} else if len(rows) > 0 && rows[len(rows)-1].sum != h.sum {
		last := rows[len(rows)-1]
		out = append(out, Issue{Changed, p, last.seq, last.id, "last record does not match the partition head"})
	}
	return out
}

// follow rebuilds the chain from the prev_hash links. It returns the row
// indexes in chain order, and the indexes where the chain had to restart
// (no record links to the previous one) with the first row, in seq order,
// not yet visited.
func follow(rows []row) (chain, restarts []int) {
	next := make(map[string]int, len(rows))
	for i, r := range rows {
		if _, dup := next[r.prev]; !dup {
			next[r.prev] = i
		}
	}
	seen := make([]bool, len(rows))
	cur, unvisited := "", 0
	for len(chain) < len(rows) {
		i, ok := next[cur]
		if !ok || seen[i] {
			for seen[unvisited] {
				unvisited++
			}
			i = unvisited
			if len(chain) > 0 {
				restarts = append(restarts, i)
			}
		}
		seen[i] = true
		chain = append(chain, i)
		cur = rows[i].sum
	}
	return chain, restarts
}
