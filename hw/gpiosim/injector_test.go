package gpiosim

import (
	"errors"
	"testing"
	"testing/synctest"

	"periph.io/x/conn/v3/gpio"
)

func TestInsertCoinRefuses(t *testing.T) {
	line, inh := NewPin("GPIO17", 17), NewPin("GPIO27", 27)
	inj := NewInjector(line, inh)
	tests := []struct {
		name    string
		cents   int64
		inhibit gpio.Level
		want    error
	}{
		{"not a multiple", 15, gpio.Low, ErrValue},
		{"zero", 0, gpio.Low, ErrValue},
		{"inhibited", 100, gpio.High, ErrInhibited},
	}
	for _, tt := range tests {
		_ = inh.Out(tt.inhibit)
		if err := inj.InsertCoin(t.Context(), tt.cents); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestInsertCoinEdges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		line := NewPin("GPIO17", 17)
		inj := NewInjector(line, nil)
		if err := line.In(gpio.PullUp, gpio.BothEdges); err != nil {
			t.Fatal(err)
		}
		if err := inj.InsertCoin(t.Context(), 20); err != nil {
			t.Fatal(err)
		}
		var got []gpio.Level
		for len(line.EdgesChan) > 0 {
			got = append(got, <-line.EdgesChan)
		}
		want := []gpio.Level{gpio.Low, gpio.High, gpio.Low, gpio.High} // active low
		if len(got) != len(want) {
			t.Fatalf("edges = %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("edge %d = %v, want %v", i, got[i], want[i])
			}
		}
	})
}
