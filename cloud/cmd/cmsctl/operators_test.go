package main

import (
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/store/storetest"
)

func TestOperators(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			c := newCLI(t, d)
			adds := []struct {
				name string
				args []string
				code int
			}{
				{"all menus", []string{"-name", "Luca Marini", "mrnlcu00a01h501j"}, 0},
				{"some menus", []string{"-name", "Maria Rossi", "-role", "supervisor", "-menus", "op.activation, op.pin_reprint", "-counters", "asl-fi-1", "RSSMRA80A01H501U"}, 0},
				{"update", []string{"-name", "Luca Marini", "-menus", "op.revocation", "MRNLCU00A01H501J"}, 0},
				{"bad cf", []string{"-name", "X", "RSSMRA80A01H501A"}, 2},
				{"bad role", []string{"-name", "X", "-role", "king", "RSSMRA80A01H501U"}, 2},
				{"bad menu", []string{"-name", "X", "-menus", "activation", "RSSMRA80A01H501U"}, 2},
				{"no name", []string{"RSSMRA80A01H501U"}, 2},
			}
			for _, a := range adds {
				if r := c.run("", append([]string{"operators", "add"}, a.args...)...); r.code != a.code {
					t.Errorf("%s: exit %d, want %d", a.name, r.code, a.code)
				}
			}
			if r := c.run("", "operators", "disable", "RSSMRA80A01H501U"); r.code != 0 {
				t.Fatalf("disable: exit %d", r.code)
			}
			if r := c.run("", "operators", "enable", "VRDGPP70B02F205X"); r.code == 0 {
				t.Error("enable of an unknown operator succeeded")
			}
			got := c.run("", "operators", "list").out
			want := []string{
				"MRNLCU00A01H501J operator   enabled  Luca Marini              menus=op.revocation counters=*",
				"RSSMRA80A01H501U supervisor disabled Maria Rossi              menus=op.activation,op.pin_reprint counters=asl-fi-1",
			}
			if got != strings.Join(want, "\n")+"\n" {
				t.Errorf("list:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
			c.run("", "operators", "enable", "RSSMRA80A01H501U")
			if got := c.run("", "operators", "list").out; strings.Contains(got, "disabled") {
				t.Errorf("after enable: %s", got)
			}
		})
	}
}
