package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.anpr, "anpr", "", "ANPR_archivio_comuni.csv")
	flag.StringVar(&cfg.countries, "countries", "", "countries.json (foreign states)")
	flag.StringVar(&cfg.deleted, "deleted", "", "deleted-countries.json (former foreign states)")
	flag.StringVar(&cfg.out, "o", "data.tsv.gz", "output file")
	flag.Parse()
	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
