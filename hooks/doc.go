// Package hooks is forgehook's domain: webhooks, the events they receive,
// the GitHub payloads and wire encoding of those events, and the workers that
// turn recorded pushes into signed deliveries.
//
// It declares the interfaces that storage (package store) and git access
// (package git) implement, and imports nothing outside the standard library.
package hooks
