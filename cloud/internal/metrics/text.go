package metrics

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
)

func (f *family) write(buf *bytes.Buffer) {
	f.mu.Lock()
	keys := make([]string, 0, len(f.children))
	for k := range f.children {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	children := make([]any, len(keys))
	values := make([][]string, len(keys))
	for i, k := range keys {
		children[i], values[i] = f.children[k], f.values[k]
	}
	f.mu.Unlock()

	buf.WriteString("# HELP " + f.name + " " + escHelp(f.help) + "\n")
	buf.WriteString("# TYPE " + f.name + " " + string(f.kind) + "\n")
	for i, c := range children {
		switch m := c.(type) {
		case *Counter:
			sample(buf, f.name, f.labels, values[i], "", "", m.Value())
		case *Gauge:
			sample(buf, f.name, f.labels, values[i], "", "", m.Value())
		case *Histogram:
			s := m.snapshot()
			for j, b := range s.bounds {
				sample(buf, f.name+"_bucket", f.labels, values[i], "le", fmtFloat(b), float64(s.cum[j]))
			}
			sample(buf, f.name+"_bucket", f.labels, values[i], "le", "+Inf", float64(s.count))
			sample(buf, f.name+"_sum", f.labels, values[i], "", "", s.sum)
			sample(buf, f.name+"_count", f.labels, values[i], "", "", float64(s.count))
		}
	}
}

func sample(buf *bytes.Buffer, name string, labels, values []string, extraK, extraV string, v float64) {
	buf.WriteString(name)
	if len(labels) > 0 || extraK != "" {
		buf.WriteByte('{')
		sep := ""
		for i, l := range labels {
			buf.WriteString(sep + l + `="` + escLabel(values[i]) + `"`)
			sep = ","
		}
		if extraK != "" {
			buf.WriteString(sep + extraK + `="` + extraV + `"`)
		}
		buf.WriteByte('}')
	}
	buf.WriteByte(' ')
	buf.WriteString(fmtFloat(v))
	buf.WriteByte('\n')
}

func fmtFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpRepl  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelRepl = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escHelp(s string) string  { return helpRepl.Replace(s) }
func escLabel(s string) string { return labelRepl.Replace(s) }
