module cnskiosk.dev/hw

go 1.26

require cnskiosk.dev/shared v0.0.0

replace cnskiosk.dev/shared => ../shared
