package belfiore

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"cnskiosk.dev/shared/internal/translit"
)

//go:embed data.tsv.gz
var data []byte

type index struct {
	places []Place
	byCode map[string][]Place // each code's places, oldest first
	byName map[string][]int   // translit.Key of name and alt name -> places
}

// table parses the embedded data once. The data is generated and tested:
// a parse error is a build defect, so it panics.
var table = sync.OnceValue(func() *index {
	ix, err := parse(data)
	if err != nil {
		panic(fmt.Sprintf("belfiore: embedded data: %v", err))
	}
	return ix
})

// Len returns the number of places in the table.
func Len() int { return len(table().places) }

func parse(gz []byte) (*index, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	ix := &index{byCode: make(map[string][]Place, 10000), byName: make(map[string][]int, 10000)}
	sc := bufio.NewScanner(zr)
	for line := 1; sc.Scan(); line++ {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		p, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		ix.add(p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return ix, nil
}

func (ix *index) add(p Place) {
	i := len(ix.places)
	ix.places = append(ix.places, p)
	ix.byCode[p.Code] = append(ix.byCode[p.Code], p)
	ix.byName[translit.Key(p.Name)] = append(ix.byName[translit.Key(p.Name)], i)
	if k := translit.Key(p.AltName); k != "" && k != translit.Key(p.Name) {
		ix.byName[k] = append(ix.byName[k], i)
	}
}

// parseLine reads "code from to province foreign name altname", tab separated.
func parseLine(s string) (Place, error) {
	f := strings.Split(s, "\t")
	if len(f) != 7 {
		return Place{}, fmt.Errorf("%d fields, want 7", len(f))
	}
	from, err := parseDay(f[1])
	if err != nil {
		return Place{}, err
	}
	to, err := parseDay(f[2])
	if err != nil {
		return Place{}, err
	}
	if !Syntax(f[0]) {
		return Place{}, fmt.Errorf("%w: %q", ErrSyntax, f[0])
	}
	return Place{Code: f[0], From: from, To: to, Province: f[3], Foreign: f[4] == "1", Name: f[5], AltName: f[6]}, nil
}

func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}
