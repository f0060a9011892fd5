package wire

import (
	"strings"
	"testing"
)

// FuzzDecode feeds Decode arbitrary bytes. The seed corpus is one valid
// message of every type (testdata/examples) plus a few broken ones. Decode
// must never panic, every error must wrap exactly one sentinel, and what it
// accepts must survive Encode and Decode again.
func FuzzDecode(f *testing.F) {
	for _, data := range examples(f) {
		f.Add(data)
	}
	for _, s := range []string{"", "{}", "null", `{"v":1}`, `{"v":1,"body":[]}`, "\xff\xfe", strings.Repeat("[", 1000),
		`{"v":1,"DEV":"kiosk-evil","dev":"kiosk-01"}`, `{"v":1,"v":2}`, `{"body":{"a":{"b":{"a":1,"a":2}}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(exampleDev, data)
		if err != nil {
			if n := sentinels(err); n != 1 {
				t.Fatalf("Decode error %v wraps %d sentinels", err, n)
			}
			return
		}
		again, err := e.Encode()
		if err != nil {
			t.Fatalf("Encode of a decoded message: %v", err)
		}
		e2, err := Decode(exampleDev, again)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(x))) = %v for %s", err, again)
		}
		if e2.ID != e.ID || e2.Type != e.Type || e2.Seq != e.Seq || !e2.At.Equal(e.At) {
			t.Fatalf("round trip changed the envelope: %+v -> %+v", e, e2)
		}
	})
}

func FuzzParseTopic(f *testing.F) {
	for _, ch := range channels {
		f.Add(Topic("kiosk-01", ch))
	}
	f.Add("cms/v1/dev/+/ops")
	f.Fuzz(func(t *testing.T, topic string) {
		dev, ch, err := ParseTopic(topic)
		if err != nil {
			return
		}
		if Topic(dev, ch) != topic {
			t.Fatalf("Topic(ParseTopic(%q)) = %q", topic, Topic(dev, ch))
		}
	})
}
