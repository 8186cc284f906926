//go:build tools

// Package tools records the Traefik command as a dependency of this module.
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
