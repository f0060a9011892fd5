module cnskiosk.dev/firmware

go 1.26

replace cnskiosk.dev/shared => ../shared
