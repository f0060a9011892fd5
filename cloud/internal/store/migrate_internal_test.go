package store

import (
	"testing"
	"testing/fstest"
)

func TestMigrationSelection(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0001_a.sql":          {Data: []byte("a")},
		"m/0002_b.sqlite.sql":   {Data: []byte("b-sqlite")},
		"m/0002_b.postgres.sql": {Data: []byte("b-pg")},
		"m/0003_c.postgres.sql": {Data: []byte("c-pg")},
		"m/README.md":           {Data: []byte("x")},
		"m/0004_d.unknown.sql":  {Data: []byte("ignored")},
	}
	for _, tc := range []struct {
		d    Dialect
		want []string
	}{
		{SQLite, []string{"0001_a=a", "0002_b=b-sqlite"}},
		{Postgres, []string{"0001_a=a", "0002_b=b-pg", "0003_c=c-pg"}},
	} {
		ms, err := migrationsFrom(fsys, "m", tc.d)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Version+"="+m.SQL)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.d, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %v, want %v", tc.d, got, tc.want)
			}
		}
	}
}
