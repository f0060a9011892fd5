// Command cmsd is the CMS service: MQTT ingest of the kiosks' operations,
// the CMS rules over SQLite or PostgreSQL, the fleet registry and the
// console. With no flags it runs everything on this machine: an embedded
// mTLS broker on 127.0.0.1:8883, SQLite in .run/cmsd and the console on
// 127.0.0.1:8080. See docs/cloud.md.
package main
