package team_test

import (
	"fmt"

	"cnskiosk.dev/shared/team"
)

func ExampleParse() {
	c, err := team.Parse("8038000 0900 0905 10553")
	if err != nil {
		fmt.Println(team.Reason(err))
		return
	}
	fmt.Println(c, c.RegionName(), c.Serial())
	// Output: 80380000900090510553 Toscana 9051055
}
