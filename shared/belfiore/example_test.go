package belfiore_test

import (
	"fmt"
	"time"

	"cnskiosk.dev/shared/belfiore"
)

func ExampleLookup() {
	for _, y := range []int{1980, 2000} {
		p, _ := belfiore.Lookup("A004", time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		fmt.Println(y, p)
	}
	// Output:
	// 1980 ABBADIA CERRETO (MI)
	// 2000 ABBADIA CERRETO (LO)
}
