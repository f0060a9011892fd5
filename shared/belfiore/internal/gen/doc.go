// Command gen builds the embedded Belfiore table of package belfiore from
// the ANPR archive of comuni and the lists of foreign states.
//
//	go run ./belfiore/internal/gen -anpr ANPR_archivio_comuni.csv \
//	    -countries countries.json -deleted deleted-countries.json -o belfiore/data.tsv.gz
//
// It is run by hand when the sources change; the tests build a table
// from the small fixtures under testdata/ and compare it with a golden
// file.
package main
