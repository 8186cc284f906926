//go:build tools

// Package tools records metrics-server as a dependency of this module.
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
