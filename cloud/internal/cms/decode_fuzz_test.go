package cms

import (
	"testing"
	"time"

	"cnskiosk.dev/shared/wire"
)

// FuzzDecode feeds arbitrary bodies to the operation decoder: it must
// never panic, and a body it accepts must name a device counter.
func FuzzDecode(f *testing.F) {
	f.Add(string(wire.OpActivation), []byte(`{"operator":{"cf":"MRNLCU00A01H501J"},"card":{"cf":"RSSMRA70A01F205V","team":"80380000900090510553","expiry":"2030-01-31"},"requester":{"role":"holder"},"document":{"kind":"carta_identita","number":"X"},"delivery":{"channel":"email","address":"a@b.it"}}`))
	f.Add(string(wire.OpRevocation), []byte(`{"operator":{"cf":"X"},"team":"80380000900090510553","requester":{"role":"delegate"},"document":{"kind":"k","number":"n"}}`))
	f.Add(string(wire.OpAbandoned), []byte(`{"operator":{"cf":"X"},"procedure":"op.activation","step":"ID1"}`))
	f.Add(string(wire.OpReissue), []byte(`{"operator":{"cf":"X"},"card":{"cf":"A","team":"1","expiry":"2030-13-01"}}`))
	f.Add("op.unknown", []byte(`{}`))
	f.Fuzz(func(t *testing.T, typ string, body []byte) {
		env := wire.Envelope{V: 1, ID: "01JABCDEFGHJKMNPQRSTVWXYZ0", Dev: "kiosk-01", Seq: 1,
			Type: wire.Type(typ), At: time.Unix(1e9, 0), Body: body}
		op, err := decode(env)
		if err == nil && op.counter == "" {
			t.Errorf("accepted %s without a counter", typ)
		}
	})
}
