package translit

import "testing"

func TestLetters(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Rossi", "ROSSI"},
		{"D'Angelo", "DANGELO"},
		{"De Luca", "DELUCA"},
		{"Niccolò", "NICCOLO"},
		{"Gonnosnò", "GONNOSNO"},
		{"Müller-Lüdenscheidt", "MULLERLUDENSCHEIDT"},
		{"Straße", "STRASSE"},
		{"Šćepanović", "SCEPANOVIC"},
		{"Łukasz", "LUKASZ"},
		{"Æsir", "AESIR"},
		{"Anna2", "ANNA"},
		{"Ἀθῆναι", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Letters(tt.in); got != tt.want {
			t.Errorf("Letters(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sant'Angelo a Fasanella", "SANTANGELOAFASANELLA"},
		{"SANT ANGELO A FASANELLA", "SANTANGELOAFASANELLA"},
		{"Reggio nell'Emilia", "REGGIONELLEMILIA"},
		{"Forlì-Cesena 2", "FORLICESENA2"},
	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
