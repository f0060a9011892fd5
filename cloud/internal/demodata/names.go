package demodata

var surnames = []string{
	"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
	"Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
	"Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
	"Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
	"Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
	"Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina", "Rizzi", "Monti",
	"Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino", "Carbone", "Giuliani",
	"Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Martino", "Fiore",
	"Niccolai", "Bartolini", "Baldi", "Innocenti", "Giannini", "Lotti", "Papi", "Bini", "Cecchi", "Nardi",
	"Fabbrini", "Pieri", "Tognoni", "Mazzei", "Orsini", "Bertini", "Del Bene", "Dell'Acqua", "Sarti", "Fanfani",
}

var maleNames = []string{
	"Marco", "Andrea", "Giuseppe", "Luca", "Francesco", "Alessandro", "Matteo", "Lorenzo", "Giovanni", "Mario",
	"Stefano", "Roberto", "Paolo", "Davide", "Simone", "Federico", "Riccardo", "Tommaso", "Leonardo", "Gabriele",
	"Niccolò", "Jacopo", "Filippo", "Pietro", "Edoardo", "Emanuele", "Antonio", "Salvatore", "Carlo", "Gian Marco",
}

var femaleNames = []string{
	"Giulia", "Francesca", "Chiara", "Sara", "Martina", "Valentina", "Alessia", "Elisa", "Federica", "Silvia",
	"Maria", "Anna", "Laura", "Elena", "Paola", "Sofia", "Aurora", "Ginevra", "Beatrice", "Alice",
	"Lucia", "Caterina", "Irene", "Marta", "Noemi", "Gaia", "Cristina", "Roberta", "Ilaria", "Maria Grazia",
}

// places are Belfiore codes of comuni (mostly Tuscan) and foreign states.
// A code not valid on a birth date is replaced by the fallback.
var places = []string{
	"D612", "D612", "D612", "G702", "E715", "I726", "A390", "G999", "E625", "G713",
	"L833", "M126", "F023", "C415", "E202", "B950", "H501", "F205", "F839", "L219",
	"A944", "D969", "G273", "L736", "A662", "Z129", "Z100", "Z404", "Z330", "Z210",
}

const fallbackPlace = "H501" // Roma, valid since 1871
